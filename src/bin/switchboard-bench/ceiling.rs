//! The ceiling of the stack: a bare actix-web endpoint that does one SQLite INSERT
//! per request (one table, Switchboard's pragmas, `synchronous = FULL`) on the
//! blocking pool. Nothing Switchboard does per request can be cheaper than this.

use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::path::Path;

async fn insert(pool: web::Data<switchboard::db::Pool>, body: web::Bytes) -> HttpResponse {
    let length = body.len() as i64;
    let pool = pool.get_ref().clone();
    let done = web::block(move || -> Result<(), String> {
        let conn = pool.get().map_err(|e| e.to_string())?;
        conn.prepare_cached("INSERT INTO t (v) VALUES (?1)")
            .and_then(|mut s| s.execute([length]))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
    .await;
    match done {
        Ok(Ok(())) => {
            HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("{\"success\":true,\"response\":true}")
        }
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// Serves the ceiling on a free loopback port in a thread of its own; answers its URL.
pub fn start(dir: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let path = dir.join("ceiling.db");
    let conn = switchboard::db::open(&path)?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")?;
    drop(conn);
    let pool = switchboard::db::pool(&path, 8)?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}/ceiling", listener.local_addr()?);
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let data = web::Data::new(pool);
            HttpServer::new(move || App::new().app_data(data.clone()).route("/ceiling", web::post().to(insert)))
                .listen(listener)
                .expect("the ceiling listens")
                .run()
                .await
        })
    });
    Ok(url)
}
