//! Server-rendered SVG charts of a monitoring view: columns for a time series (one per month),
//! horizontal bars for the other groupings (the largest first). Accessible: `role="img"` with
//! a title and a description that states every value, so a screen reader needs no picture.

use std::fmt::Write as _;

/// One value of a chart; `None` = suppressed (drawn as a hatched stub, described as such).
#[derive(Debug)]
pub struct Point<'a> {
    /// Axis label.
    pub label: &'a str,
    /// The value.
    pub value: Option<i64>,
}

const BLUE: &str = "#0066cc";
const GREY: &str = "#5c6f82";
const WIDTH: i64 = 720;

/// XML text with `&`, `<`, `>` and quotes escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn describe(title: &str, points: &[Point<'_>]) -> String {
    let parts: Vec<String> = points
        .iter()
        .map(|p| match p.value {
            Some(v) => format!("{}: {v}", p.label),
            None => format!("{}: dato non mostrato (meno di 5)", p.label),
        })
        .collect();
    format!("{title}. {}.", parts.join("; "))
}

fn head(out: &mut String, height: i64, title: &str, points: &[Point<'_>]) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"t d\" font-family=\"Titillium Web, \
         sans-serif\" font-size=\"14\"><title id=\"t\">{}</title><desc id=\"d\">{}</desc>",
        esc(title),
        esc(&describe(title, points))
    );
}

/// A column chart of a series in order (months).
pub fn columns(title: &str, points: &[Point<'_>]) -> String {
    let (height, top, bottom, left) = (300_i64, 20_i64, 250_i64, 40_i64);
    let mut out = String::new();
    head(&mut out, height, title, points);
    let max = points
        .iter()
        .filter_map(|p| p.value)
        .max()
        .unwrap_or(0)
        .max(1);
    let n = points.len().max(1) as i64;
    let step = (WIDTH - left - 10) / n;
    let bar = (step * 2 / 3).max(2);
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{WIDTH}\" y2=\"{bottom}\" stroke=\"{GREY}\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{GREY}\">{max}</text>\
         <text x=\"{}\" y=\"{bottom}\" text-anchor=\"end\" fill=\"{GREY}\">0</text>",
        left - 6,
        top + 10,
        left - 6
    );
    // Labels every k-th column so that they do not overlap.
    let every = ((n * 60) / (WIDTH - left)).max(1);
    for (i, p) in points.iter().enumerate() {
        let x = left + 5 + i as i64 * step;
        match p.value {
            Some(v) => {
                let h = (v * (bottom - top)) / max;
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"{BLUE}\"/>",
                    bottom - h
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"6\" fill=\"none\" \
                     stroke=\"{GREY}\" stroke-dasharray=\"2 2\"/>",
                    bottom - 6
                );
            }
        }
        if (i as i64) % every == 0 {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#17324d\">{}</text>",
                x + bar / 2,
                bottom + 20,
                esc(p.label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per group, as given (the caller sorts and caps them).
pub fn bars(title: &str, points: &[Point<'_>]) -> String {
    let (row, label_w) = (28_i64, 260_i64);
    let height = (points.len().max(1) as i64) * row + 10;
    let mut out = String::new();
    head(&mut out, height, title, points);
    let max = points
        .iter()
        .filter_map(|p| p.value)
        .max()
        .unwrap_or(0)
        .max(1);
    let span = WIDTH - label_w - 60;
    for (i, p) in points.iter().enumerate() {
        let y = 5 + i as i64 * row;
        let label: String = p.label.chars().take(32).collect();
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#17324d\">{}</text>",
            label_w - 8,
            y + 18,
            esc(&label)
        );
        let (w, shown) = match p.value {
            Some(v) => ((v * span) / max, v.to_string()),
            None => (0, "< 5".to_owned()),
        };
        let _ = write!(
            out,
            "<rect x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"18\" fill=\"{BLUE}\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#17324d\">{}</text>",
            y + 4,
            label_w + w + 6,
            y + 18,
            esc(&shown)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_every_value_described_and_text_escaped() {
        let points = [
            Point {
                label: "2026-11",
                value: Some(12),
            },
            Point {
                label: "<b>&",
                value: None,
            },
        ];
        for svg in [
            columns("Appuntamenti", &points),
            bars("Appuntamenti", &points),
        ] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(svg.contains("2026-11: 12"));
            assert!(svg.contains("&lt;b&gt;&amp;: dato non mostrato (meno di 5)"));
            assert!(!svg.contains("<b>"));
        }
        assert_eq!(columns("x", &[]).matches("<rect").count(), 0);
    }
}
