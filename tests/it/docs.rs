use switchboard::error::{Failure, Outcome};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn the_readme_lists_every_function_of_the_dispatch_table() {
    let readme = readme();
    for (name, _) in switchboard::api::FUNCTIONS {
        assert!(readme.contains(&format!("| `{name}` | done")), "README does not list {name} as done");
    }
}

#[test]
fn the_readme_lists_every_error_code() {
    let readme = readme();
    for code in Failure::CODES.iter().copied().chain(Outcome::ALL.iter().map(|o| o.code())) {
        assert!(readme.contains(&format!("`{code}`")), "README does not list {code}");
    }
}

#[test]
fn the_readme_lists_every_config_key() {
    let readme = readme();
    let defaults = toml::Table::try_from(switchboard::Config::default()).unwrap();
    for key in defaults.keys() {
        assert!(readme.contains(&format!("| `{key}` |")), "README does not document {key}");
    }
    assert!(readme.contains("| `public_url` |"));
}
