//! The self-contained HTML report: tables and inline SVG plots drawn here, with no script,
//! stylesheet, font or image from anywhere else.

use crate::report::{Report, Summary};
use std::fmt::Write as _;

/// Plot size in SVG user units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A "nice" upper bound for an axis (1, 2 or 5 × 10^n, at least `max`).
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * magnitude >= max {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

fn fmt_tick(value: f64) -> String {
    if value == 0.0 {
        "0".to_owned()
    } else if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// Axes, grid and labels; returns the opening of the SVG and the scale functions' ranges.
fn frame(out: &mut String, title: &str, x_label: &str, y_label: &str, x_max: f64, y_max: f64) {
    let _ = write!(
        out,
        r#"<figure><svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{t}">"#,
        t = escape(title)
    );
    let _ = write!(
        out,
        r#"<text x="{x}" y="18" class="title">{t}</text>"#,
        x = LEFT,
        t = escape(title)
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    for i in 0..=4 {
        let frac = f64::from(i) / 4.0;
        let y = TOP + plot_h * (1.0 - frac);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{tx}" y="{ty:.1}" class="tick" text-anchor="end">{v}</text>"#,
            x2 = LEFT + plot_w,
            tx = LEFT - 4.0,
            ty = y + 4.0,
            v = fmt_tick(y_max * frac)
        );
        let x = LEFT + plot_w * frac;
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{ty}" class="tick" text-anchor="middle">{v}</text>"#,
            ty = TOP + plot_h + 14.0,
            v = fmt_tick(x_max * frac)
        );
    }
    let _ = write!(
        out,
        r#"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" class="axes"/><text x="{cx:.1}" y="{by}" class="label" text-anchor="middle">{xl}</text><text x="12" y="{cy:.1}" class="label" text-anchor="middle" transform="rotate(-90 12 {cy:.1})">{yl}</text>"#,
        cx = LEFT + plot_w / 2.0,
        by = HEIGHT - 6.0,
        cy = TOP + plot_h / 2.0,
        xl = escape(x_label),
        yl = escape(y_label)
    );
}

/// One series of a line chart.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// CSS color.
    pub color: &'a str,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
}

/// A line chart; `shade` marks an x range (the steady window).
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
    shade: Option<(f64, f64)>,
) -> String {
    let all = series.iter().flat_map(|s| s.points.iter());
    let x_max = nice_max(all.clone().map(|p| p.0).fold(0.0, f64::max));
    // Headroom above the highest point, so lines stay clear of the legend.
    let y_max = nice_max(all.map(|p| p.1).fold(0.0, f64::max) * 1.25);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let sx = |x: f64| LEFT + plot_w * (x / x_max).clamp(0.0, 1.0);
    let sy = |y: f64| TOP + plot_h * (1.0 - (y / y_max).clamp(0.0, 1.0));
    let mut out = String::new();
    frame(&mut out, title, x_label, y_label, x_max, y_max);
    if let Some((x0, x1)) = shade {
        let _ = write!(
            out,
            r#"<rect x="{a:.1}" y="{TOP}" width="{w:.1}" height="{plot_h}" class="shade"><title>steady window</title></rect>"#,
            a = sx(x0),
            w = (sx(x1) - sx(x0)).max(0.0)
        );
    }
    for (n, s) in series.iter().enumerate() {
        if s.points.is_empty() {
            continue;
        }
        let path: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="1.8"/>"#,
            path.join(" "),
            c = escape(s.color)
        );
        let lx = LEFT + 8.0 + 150.0 * n as f64;
        let _ = write!(
            out,
            r#"<rect x="{lx:.1}" y="{ly}" width="10" height="3" fill="{c}"/><text x="{tx:.1}" y="{ty}" class="tick">{name}</text>"#,
            ly = TOP + 6.0,
            c = escape(s.color),
            tx = lx + 14.0,
            ty = TOP + 10.0,
            name = escape(s.name)
        );
    }
    out.push_str("</svg></figure>");
    out
}

/// A histogram of `values` in `bins` equal bins from 0.
pub fn histogram(title: &str, x_label: &str, values: &[f64], bins: usize) -> String {
    let bins = bins.max(1);
    let x_max = nice_max(values.iter().copied().fold(0.0, f64::max));
    let mut counts = vec![0u64; bins];
    for &v in values {
        let bin = ((v / x_max) * bins as f64).floor().max(0.0) as usize;
        counts[bin.min(bins - 1)] += 1;
    }
    // A multiple of 4 (one per grid line), so the ticks of counts are whole numbers.
    let y_max = (counts.iter().copied().max().unwrap_or(0).max(4).div_ceil(4) * 4) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut out = String::new();
    frame(&mut out, title, x_label, "participants", x_max, y_max);
    let bar_w = plot_w / bins as f64;
    for (i, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let h = plot_h * count as f64 / y_max;
        let lo = x_max * i as f64 / bins as f64;
        let hi = x_max * (i + 1) as f64 / bins as f64;
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" class="bar"><title>{lo:.1}–{hi:.1}: {count}</title></rect>"#,
            x = LEFT + bar_w * i as f64 + 1.0,
            y = TOP + plot_h - h,
            w = (bar_w - 2.0).max(1.0),
        );
    }
    out.push_str("</svg></figure>");
    out
}

fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.decimals$}"))
}

fn summary_row(out: &mut String, name: &str, s: &Summary) {
    let _ = write!(
        out,
        "<tr><th>{}</th><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
        escape(name),
        s.count,
        s.p50_ms,
        s.p95_ms,
        s.p99_ms,
        s.max_ms,
        s.mean_ms
    );
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1a1a1a;max-width:1100px}\
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;margin:.5em 0}\
th,td{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f2f2f2}\
td.l,th.l{text-align:left}figure{margin:.5em 0;display:inline-block}\
svg .title{font-size:13px;font-weight:600}svg .tick{font-size:10px;fill:#444}\
svg .label{font-size:11px;fill:#222}svg .grid{stroke:#e4e4e4}svg .axes{fill:none;stroke:#888}\
svg .bar{fill:#0066cc}svg .shade{fill:#0a0;opacity:.08}.bad{color:#b00020}";

/// Renders the whole report as one HTML document.
pub fn render(report: &Report) -> String {
    let c = &report.config;
    let o = &report.outcome;
    let mut out = String::new();
    let media = match (c.video_kbps, c.video_fps) {
        (Some(kbps), Some(fps)) => format!("audio + video {kbps} kbit/s, {fps} fps"),
        _ => "audio only".to_owned(),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>sportello load test</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        out,
        "<h1>sportello load test</h1><p>{} meetings × {} participants ({}) against <code>{}</code>, \
         ramp-up {} joins/s, steady window {:.1} s. Machine: {} CPUs, {}.</p>",
        c.meetings,
        c.participants_per_meeting,
        escape(&media),
        escape(&c.target),
        c.ramp_up_per_s,
        o.window_s,
        report.machine.cpus,
        escape(&report.machine.cpu_model)
    );
    let settled_class = if o.media_settled {
        ""
    } else {
        " class=\"bad\""
    };
    let _ = write!(
        out,
        "<p>Joined {}/{}, connected {}/{}; media settled: <span{settled_class}>{}</span>; \
         run time {:.1} s (window from {:.1} s).</p>",
        o.joined,
        o.participants,
        o.connected,
        o.participants,
        if o.media_settled { "yes" } else { "no" },
        o.total_s,
        o.window_start_s
    );

    out.push_str("<h2>Distributions (ms)</h2><table><tr><th class=\"l\">what</th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>mean</th></tr>");
    let p = &report.percentiles;
    for (name, s) in [
        ("join (→ joined)", &p.join),
        ("connect (→ connected)", &p.connect),
        ("first RTP (per stream)", &p.first_rtp),
        ("first keyframe", &p.first_keyframe),
        ("one-way latency, all", &p.latency),
        ("one-way latency, audio", &p.latency_audio),
        ("one-way latency, video", &p.latency_video),
        ("jitter, RFC 3550 (per stream)", &p.jitter),
    ] {
        summary_row(&mut out, name, s);
    }
    out.push_str("</table>");

    let w = &report.window;
    let s = &report.server;
    let g = &report.generator;
    let _ = write!(
        out,
        "<h2>Steady window</h2><table>\
         <tr><th class=\"l\">forwarded streams</th><td>{}</td></tr>\
         <tr><th class=\"l\">packets sent / received / lost</th><td>{} / {} / {}</td></tr>\
         <tr><th class=\"l\">loss</th><td>{:.3} %</td></tr>\
         <tr><th class=\"l\">received packets/s, Mbit/s</th><td>{:.0}, {:.2}</td></tr>\
         <tr><th class=\"l\">server CPU ({})</th><td>{} cores, {} s</td></tr>\
         <tr><th class=\"l\">server CPU-s per stream-minute</th><td>{}</td></tr>\
         <tr><th class=\"l\">server CPU µs per forwarded packet</th><td>{}</td></tr>\
         <tr><th class=\"l\">server RSS end / per participant</th><td>{} MiB / {} KiB</td></tr>\
         <tr><th class=\"l\">generator CPU (same machine)</th><td>{} cores, {} s</td></tr>\
         </table>",
        w.forwarded_streams,
        w.sent_packets,
        w.received_packets,
        w.lost_packets,
        w.loss_fraction * 100.0,
        w.received_packets_per_s,
        w.received_bits_per_s / 1e6,
        s.source,
        opt(s.usage.cpu_cores, 3),
        opt(s.usage.cpu_seconds, 2),
        opt(s.cpu_seconds_per_stream_minute, 4),
        opt(s.cpu_us_per_forwarded_packet, 1),
        opt(s.usage.rss_end_bytes.map(|b| b as f64 / 1048576.0), 1),
        opt(s.rss_per_participant_bytes.map(|b| b / 1024.0), 0),
        opt(g.cpu_cores, 3),
        opt(g.cpu_seconds, 2),
    );

    out.push_str("<h2>Plots</h2>");
    let joins: Vec<f64> = report
        .participants
        .iter()
        .filter_map(|p| p.join_ms)
        .collect();
    out.push_str(&histogram("Join time (join → joined)", "ms", &joins, 20));
    let connects: Vec<f64> = report
        .participants
        .iter()
        .filter_map(|p| p.connect_ms)
        .collect();
    out.push_str(&histogram(
        "Connect time (join → connected)",
        "ms",
        &connects,
        20,
    ));
    let shade = Some((o.window_start_s, o.window_start_s + o.window_s));
    let t = &report.timeline;
    out.push_str(&line_chart(
        "Loss per interval",
        "s since start",
        "% lost",
        &[Series {
            name: "loss %",
            color: "#b00020",
            points: t.iter().map(|s| (s.t_s, s.loss_fraction * 100.0)).collect(),
        }],
        shade,
    ));
    out.push_str(&line_chart(
        "CPU",
        "s since start",
        "cores",
        &[
            Series {
                name: "server",
                color: "#0066cc",
                points: t
                    .iter()
                    .filter_map(|s| s.server_cpu_cores.map(|c| (s.t_s, c)))
                    .collect(),
            },
            Series {
                name: "load generator",
                color: "#e07000",
                points: t
                    .iter()
                    .filter_map(|s| s.generator_cpu_cores.map(|c| (s.t_s, c)))
                    .collect(),
            },
        ],
        shade,
    ));
    out.push_str(&line_chart(
        "Forwarded packets received",
        "s since start",
        "packets/s",
        &[Series {
            name: "packets/s",
            color: "#007a5a",
            points: t
                .iter()
                .map(|s| (s.t_s, s.received_packets_per_s))
                .collect(),
        }],
        shade,
    ));
    out.push_str(&line_chart(
        "Server memory",
        "s since start",
        "RSS MiB",
        &[Series {
            name: "RSS",
            color: "#6a3d9a",
            points: t
                .iter()
                .filter_map(|s| s.server_rss_bytes.map(|b| (s.t_s, b as f64 / 1048576.0)))
                .collect(),
        }],
        shade,
    ));

    out.push_str("<h2>Participants</h2><table><tr><th>meeting</th><th>#</th><th class=\"l\">id</th><th>join ms</th><th>connect ms</th><th>first RTP ms</th><th>first key ms</th><th>sent</th><th>received</th><th>lost</th><th>loss %</th><th>jitter ms</th><th>latency mean/max ms</th><th>NACK sent/recv</th><th>PLI sent/recv</th><th class=\"l\">error</th></tr>");
    for p in &report.participants {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.2}</td><td>{} / {}</td><td>{} / {}</td><td>{} / {}</td><td class=\"l bad\">{}</td></tr>",
            p.meeting,
            p.index,
            escape(p.id.as_deref().unwrap_or("–")),
            opt(p.join_ms, 1),
            opt(p.connect_ms, 1),
            opt(p.first_rtp_ms, 1),
            opt(p.first_keyframe_ms, 1),
            p.sent_packets,
            p.received_packets,
            p.lost_packets,
            p.loss_fraction * 100.0,
            p.jitter_ms,
            opt(p.latency_mean_ms, 2),
            opt(p.latency_max_ms, 2),
            p.nacks_sent,
            p.nacks_received,
            p.plis_sent,
            p.plis_received,
            escape(p.error.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</table>");
    if !o.errors.is_empty() {
        out.push_str("<h2>Errors</h2><ul>");
        for error in &o.errors {
            let _ = write!(out, "<li>{}</li>", escape(error));
        }
        out.push_str("</ul>");
    }
    out.push_str(
        "<p><small>First RTP / first keyframe: from the later of the subscriber's and the \
         publisher's join to the first packet of each stream. Latency: send time carried in \
         each packet to arrival, in the same process. Loss: sequence gaps (RFC 3550 A.3). \
         Window figures count only the steady window.</small></p></body></html>\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn nice_axis_bounds() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(0.7), 1.0);
        assert_eq!(nice_max(1.3), 2.0);
        assert_eq!(nice_max(3.0), 5.0);
        assert_eq!(nice_max(42.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn charts_are_plain_svg() {
        let chart = line_chart(
            "t<1>",
            "x",
            "y",
            &[Series {
                name: "s",
                color: "red",
                points: vec![(0.0, 0.0), (1.0, 2.0)],
            }],
            Some((0.2, 0.8)),
        );
        assert!(chart.starts_with("<figure><svg"));
        assert!(chart.contains("<polyline"));
        assert!(chart.contains("t&lt;1&gt;"));
        let hist = histogram("h", "ms", &[1.0, 2.0, 2.5, 9.0], 10);
        assert_eq!(hist.matches("class=\"bar\"").count(), 3);
        // Empty input still draws the frame.
        assert!(histogram("h", "ms", &[], 10).ends_with("</svg></figure>"));
    }
}
