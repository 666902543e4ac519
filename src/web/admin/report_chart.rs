//! A report's chart as shapes for an SVG template: a line with a point per day,
//! bars per label (one per figure), or pie slices. Only numbers computed here
//! reach the SVG's attributes; labels are text the template escapes.

use crate::ops::reports::{Chart, Unit};

/// The drawing's size (its viewBox) and the plot area inside it.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 300.0;
pub const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
/// Where the plot area ends on the right.
pub const PLOT_RIGHT: f64 = WIDTH - RIGHT;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;
const PIE_SLICES: usize = 10;
/// Fills that read apart from each other and against white.
const PALETTE: [&str; 10] =
    ["#0b69c7", "#d97706", "#2f855a", "#b42318", "#6b46c1", "#0f766e", "#be185d", "#52606d", "#a16207", "#1e3a8a"];

pub struct Point {
    pub x: String,
    pub y: String,
    pub title: String,
}

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub fill: &'static str,
    pub title: String,
}

pub struct Slice {
    /// An SVG path, or empty for a whole circle.
    pub path: String,
    pub fill: &'static str,
    pub title: String,
}

pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
    pub anchor: &'static str,
}

#[derive(Default)]
pub struct Drawing {
    pub kind: &'static str,
    pub line: String,
    pub points: Vec<Point>,
    pub bars: Vec<Bar>,
    pub slices: Vec<Slice>,
    /// Horizontal grid lines: y and the value's text.
    pub grid: Vec<(String, String)>,
    pub x_labels: Vec<Label>,
    pub legend: Vec<(&'static str, String)>,
}

/// A figure as people read it.
pub fn figure(value: i64, unit: Unit) -> String {
    if unit != Unit::Seconds {
        return value.to_string();
    }
    let (h, m, s) = (value / 3600, value % 3600 / 60, value % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

fn num(value: f64) -> String {
    format!("{value:.1}")
}

/// The smallest of 1, 2, 5 × 10ⁿ at least `raw`, so grid values are round.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.max(1e-9).log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|step| *step >= raw).unwrap_or(10.0 * magnitude)
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// The drawing of `rows` (label, figures) for a `chart` of figures in `unit`.
pub fn draw(chart: Chart, unit: Unit, rows: &[(String, Vec<i64>)], series: &[&str]) -> Drawing {
    match chart {
        Chart::Pie => pie(unit, rows),
        Chart::Line | Chart::Bar => axes(chart, unit, rows, series),
    }
}

fn axes(chart: Chart, unit: Unit, rows: &[(String, Vec<i64>)], series: &[&str]) -> Drawing {
    let mut drawing = Drawing { kind: chart.as_str(), ..Drawing::default() };
    let (plot_w, plot_h) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let top = rows.iter().flat_map(|(_, f)| f.iter().copied()).max().unwrap_or(0).max(1) as f64;
    // Integer figures: a step below one would repeat grid labels.
    let step = nice_step(top / 4.0).max(1.0);
    let max = step * (top / step).ceil();
    let y_of = |value: f64| TOP + plot_h - value / max * plot_h;
    let mut value = 0.0;
    while value <= max + 0.5 {
        drawing.grid.push((num(y_of(value)), figure(value as i64, unit)));
        value += step;
    }
    let n = rows.len().max(1);
    let label_every = n.div_ceil(if chart == Chart::Line { 6 } else { 12 });
    let base_y = num(HEIGHT - BOTTOM + 18.0);
    match chart {
        Chart::Line => {
            let x_of = |i: usize| if n == 1 { LEFT + plot_w / 2.0 } else { LEFT + plot_w * i as f64 / (n - 1) as f64 };
            for (i, (label, figures)) in rows.iter().enumerate() {
                let figure_value = figures.first().copied().unwrap_or(0);
                drawing.points.push(Point {
                    x: num(x_of(i)),
                    y: num(y_of(figure_value as f64)),
                    title: format!("{label}: {}", figure(figure_value, unit)),
                });
                if i % label_every == 0 || i + 1 == n {
                    let anchor = if i == 0 {
                        "start"
                    } else if i + 1 == n {
                        "end"
                    } else {
                        "middle"
                    };
                    drawing.x_labels.push(Label { x: num(x_of(i)), y: base_y.clone(), text: label.clone(), anchor });
                }
            }
            drawing.line = drawing.points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
        }
        _ => {
            let group = plot_w / n as f64;
            let per_group = rows.iter().map(|(_, f)| f.len()).max().unwrap_or(1).max(1);
            let bar_w = group * 0.7 / per_group as f64;
            let (positive_negative, fills) = (per_group == 2, PALETTE);
            for (i, (label, figures)) in rows.iter().enumerate() {
                let start = LEFT + group * i as f64 + group * 0.15;
                for (k, value) in figures.iter().enumerate() {
                    let fill = if positive_negative { ["#2f855a", "#b42318"][k] } else { fills[k % fills.len()] };
                    let name = series.get(k).map_or(String::new(), |s| format!(" ({s})"));
                    drawing.bars.push(Bar {
                        x: num(start + bar_w * k as f64),
                        y: num(y_of(*value as f64)),
                        width: num(bar_w),
                        height: num(*value as f64 / max * plot_h),
                        fill,
                        title: format!("{label}{name}: {}", figure(*value, unit)),
                    });
                }
                if i % label_every == 0 {
                    let x = num(LEFT + group * (i as f64 + 0.5));
                    drawing.x_labels.push(Label { x, y: base_y.clone(), text: short(label, 14), anchor: "middle" });
                }
            }
            if per_group > 1 {
                drawing.legend = series
                    .iter()
                    .enumerate()
                    .map(|(k, s)| {
                        (if positive_negative { ["#2f855a", "#b42318"][k % 2] } else { PALETTE[k] }, s.to_string())
                    })
                    .collect();
            }
        }
    }
    drawing
}

/// Slices of the first figure of each row, the largest first as the report
/// gives them; past [`PIE_SLICES`] the rest share one "Other" slice.
fn pie(unit: Unit, rows: &[(String, Vec<i64>)]) -> Drawing {
    let mut drawing = Drawing { kind: "pie", ..Drawing::default() };
    let mut parts: Vec<(String, i64)> =
        rows.iter().map(|(l, f)| (l.clone(), f.first().copied().unwrap_or(0).max(0))).filter(|(_, v)| *v > 0).collect();
    if parts.len() > PIE_SLICES {
        let other: i64 = parts.drain(PIE_SLICES - 1..).map(|(_, v)| v).sum();
        parts.push(("Other".to_string(), other));
    }
    let total: i64 = parts.iter().map(|(_, v)| v).sum();
    if total == 0 {
        return drawing;
    }
    let (cx, cy, r) = (150.0, HEIGHT / 2.0, HEIGHT / 2.0 - 16.0);
    let point = |turn: f64| {
        let angle = turn * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
        (cx + r * angle.cos(), cy + r * angle.sin())
    };
    let mut start = 0.0;
    for (k, (label, value)) in parts.iter().enumerate() {
        let share = *value as f64 / total as f64;
        let (x1, y1) = point(start);
        let (x2, y2) = point(start + share);
        let large = if share > 0.5 { 1 } else { 0 };
        let path = if parts.len() == 1 {
            String::new()
        } else {
            format!(
                "M{} {} L{} {} A{} {} 0 {large} 1 {} {} Z",
                num(cx),
                num(cy),
                num(x1),
                num(y1),
                num(r),
                num(r),
                num(x2),
                num(y2)
            )
        };
        let fill = PALETTE[k % PALETTE.len()];
        let text = format!("{label}: {} ({:.0}%)", figure(*value, unit), share * 100.0);
        drawing.slices.push(Slice { path, fill, title: text.clone() });
        drawing.legend.push((fill, short(&text, 40)));
        start += share;
    }
    drawing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(values: &[i64]) -> Vec<(String, Vec<i64>)> {
        values.iter().enumerate().map(|(i, v)| (format!("d{i}"), vec![*v])).collect()
    }

    #[test]
    fn a_line_has_a_point_per_day_scaled_to_a_round_top() {
        let drawing = draw(Chart::Line, Unit::Count, &rows(&[0, 3, 7]), &[]);
        assert_eq!(drawing.points.len(), 3);
        assert_eq!(drawing.points[0].y, num(HEIGHT - BOTTOM), "zero sits on the axis");
        assert_eq!(drawing.grid.last().unwrap().1, "8", "7 rounds up to 8 in steps of 2");
        assert_eq!(drawing.line.split(' ').count(), 3);
    }

    #[test]
    fn bars_come_one_per_figure_and_pies_group_the_tail() {
        let ratings = vec![("Ada".to_string(), vec![3, 1]), ("Ben".to_string(), vec![0, 2])];
        let drawing = draw(Chart::Bar, Unit::Ratings, &ratings, &["Positive", "Negative"]);
        assert_eq!(drawing.bars.len(), 4);
        assert_eq!(drawing.legend.len(), 2);
        let drawing = draw(Chart::Pie, Unit::Count, &rows(&[5; 14]), &[]);
        assert_eq!(drawing.slices.len(), PIE_SLICES);
        assert!(drawing.slices.last().unwrap().title.starts_with("Other: 25"));
        assert!(draw(Chart::Pie, Unit::Count, &rows(&[4]), &[]).slices[0].path.is_empty(), "a whole circle");
    }

    #[test]
    fn durations_read_as_minutes_and_hours() {
        assert_eq!(figure(59, Unit::Seconds), "59 s");
        assert_eq!(figure(125, Unit::Seconds), "2 min 5 s");
        assert_eq!(figure(7260, Unit::Seconds), "2 h 1 min");
        assert_eq!(figure(7260, Unit::Count), "7260");
    }
}
