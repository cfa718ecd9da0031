use super::common::{TickFmt, axis_range, clip_segment, measure};
use super::palette::Diverging;
use super::*;

fn decode(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png).expect("PNG decodes").to_rgb8()
}

fn non_white(img: &image::RgbImage) -> usize {
    img.pixels().filter(|p| p.0 != [255, 255, 255]).count()
}

/// Decodes, checks the size and that a good amount was drawn.
fn check(png: &[u8], w: u32, h: u32) -> image::RgbImage {
    let img = decode(png);
    assert_eq!(img.dimensions(), (w, h));
    assert!(non_white(&img) > 5_000, "chart looks blank");
    img
}

fn line_sample() -> LineChart {
    LineChart {
        title: "Favourability".into(),
        x_label: "tick".into(),
        y_label: "mean".into(),
        series: (0..3)
            .map(|k| Series {
                name: format!("actor {k}"),
                points: (0..50)
                    .map(|t| (t as f64, (t as f64 / 8.0 + k as f64).sin()))
                    .collect(),
                ..Default::default()
            })
            .collect(),
        y_range: None,
        ..Default::default()
    }
}

fn heatmap_sample(rows: usize, cols: usize) -> Heatmap {
    Heatmap {
        title: "Heat".into(),
        x_label: "actor".into(),
        y_label: "population".into(),
        rows: (0..rows).map(|i| format!("row {i}")).collect(),
        cols: (0..cols).map(|j| format!("col {j}")).collect(),
        values: (0..rows)
            .map(|i| {
                (0..cols)
                    .map(|j| ((i * 3 + j * 5) % 11) as f64 / 5.0 - 1.0)
                    .collect()
            })
            .collect(),
        range: (-1.0, 1.0),
        colorbar_label: "favourability".into(),
        ..Default::default()
    }
}

fn scatter_sample() -> ScatterChart {
    ScatterChart {
        title: "Scatter".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        points: (0..12)
            .map(|i| ScatterPoint {
                label: format!("p{i}"),
                group: ["a", "b", "c"][i % 3].into(),
                x: i as f64,
                y: (i as f64 - 6.0) / 3.0,
            })
            .collect(),
        ..Default::default()
    }
}

fn band_sample() -> BandChart {
    let x: Vec<f64> = (0..40).map(|t| t as f64).collect();
    BandChart {
        title: "Bands".into(),
        x_label: "tick".into(),
        y_label: "value".into(),
        series: (0..2)
            .map(|k| {
                let median: Vec<f64> = x.iter().map(|t| t * 0.01 * (k as f64 + 1.0)).collect();
                Band {
                    name: format!("s{k}"),
                    x: x.clone(),
                    inner: median.iter().map(|m| (m - 0.05, m + 0.05)).collect(),
                    outer: median.iter().map(|m| (m - 0.1, m + 0.1)).collect(),
                    median,
                }
            })
            .collect(),
        inner_label: "25–75 %".into(),
        outer_label: "5–95 %".into(),
    }
}

fn interval_sample(n: usize) -> IntervalChart {
    IntervalChart {
        title: "Effects".into(),
        x_label: "effect".into(),
        rows: (0..n)
            .map(|i| Interval {
                label: format!("variant {i}"),
                estimate: i as f64 / 10.0 - 0.3,
                lo: i as f64 / 10.0 - 0.5,
                hi: i as f64 / 10.0 - 0.1,
                kind: 0,
            })
            .collect(),
        reference: Some(0.0),
        kinds: Vec::new(),
    }
}

fn bar_sample() -> BarChart {
    BarChart {
        title: "Bars".into(),
        x_label: "region".into(),
        y_label: "value".into(),
        groups: vec!["north".into(), "south".into(), "east".into()],
        series: vec![
            ("A".into(), vec![1.0, -0.5, 2.0]),
            ("B".into(), vec![0.5, 1.5, 0.25]),
        ],
        ..Default::default()
    }
}

fn network_sample(n: usize, seed: u64) -> NetworkPlot {
    let mut nodes: Vec<NetNode> = (0..n)
        .map(|i| NetNode {
            label: format!("pop {i}"),
            kind: NodeKind::Population,
            size: 1000.0 * (1 + i % 7) as f64,
            value: Some((i as f64 / 3.0).sin()),
        })
        .collect();
    nodes.push(NetNode {
        label: "actor".into(),
        kind: NodeKind::Actor,
        size: 1.0,
        value: None,
    });
    let mut edges: Vec<NetEdge> = (0..n)
        .map(|i| NetEdge {
            a: i,
            b: (i + 1) % n,
            weight: (1 + i % 3) as f64,
            kind: EdgeKind::Social,
        })
        .collect();
    edges.extend((0..n).step_by(3).map(|i| NetEdge {
        a: n,
        b: i,
        weight: 1.0,
        kind: EdgeKind::Media,
    }));
    NetworkPlot {
        title: "Network".into(),
        nodes,
        edges,
        colour_label: "favourability".into(),
        seed,
    }
}

// ---------------------------------------------------------------- basic rendering

#[test]
fn line_chart_renders() {
    check(&line_chart(&line_sample()).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn heatmap_renders() {
    check(&heatmap(&heatmap_sample(6, 5)).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn scatter_chart_renders() {
    check(&scatter_chart(&scatter_sample()).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn band_chart_renders() {
    check(&band_chart(&band_sample()).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn interval_chart_renders() {
    check(&interval_chart(&interval_sample(8)).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn bar_chart_renders() {
    check(&bar_chart(&bar_sample()).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn network_renders() {
    check(&network(&network_sample(20, 1)).unwrap(), 1200, 1000);
}

#[test]
fn tall_heatmap_grows_and_caps_rows() {
    let h40 = decode(&heatmap(&heatmap_sample(40, 8)).unwrap());
    assert_eq!(h40.width(), WIDTH);
    assert!(
        h40.height() > HEIGHT,
        "40 rows should make the image taller"
    );
    let h60 = decode(&heatmap(&heatmap_sample(60, 8)).unwrap());
    let h500 = decode(&heatmap(&heatmap_sample(500, 8)).unwrap());
    assert_eq!(h60.height(), h500.height(), "rows beyond 60 are not drawn");
    assert!(h500.height() < 2000);
}

#[test]
fn many_intervals_make_a_taller_image() {
    let img = decode(&interval_chart(&interval_sample(60)).unwrap());
    assert!(img.height() > HEIGHT);
    let img = decode(&interval_chart(&interval_sample(1000)).unwrap());
    assert!(img.height() < 5000);
}

// ---------------------------------------------------------------- text

/// Pixels that differ between two images inside rows `y0..y1`.
fn diff_rows(a: &image::RgbImage, b: &image::RgbImage, y0: u32, y1: u32) -> usize {
    (y0..y1)
        .flat_map(|y| (0..a.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| a.get_pixel(x, y) != b.get_pixel(x, y))
        .count()
}

#[test]
fn embedded_font_draws_titles() {
    let mut c = line_sample();
    c.title = "A".into();
    let short = decode(&line_chart(&c).unwrap());
    c.title = "A much longer title with plenty of glyphs in it".into();
    let long = decode(&line_chart(&c).unwrap());
    let d = diff_rows(&short, &long, 0, 55);
    assert!(
        d > 1_000,
        "title area barely changed ({d} px): is text drawn?"
    );
    // And the short title itself put ink in the title band.
    let ink = (0..55)
        .flat_map(|y| (0..short.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| short.get_pixel(x, y).0 != [255, 255, 255])
        .count();
    assert!(ink > 30, "no glyph ink for title \"A\"");
}

#[test]
fn text_metrics_match_plotters() {
    use plotters::prelude::IntoFont;
    super::common::ensure_font().unwrap();
    for s in ["Hello World 123", "favourability", "Mean −0.25 (5–95 %)"] {
        let ours = measure(s, 30.0).0;
        let theirs = ("sans-serif", 30.0).into_font().box_size(s).unwrap().0 as i32;
        assert!((ours - theirs).abs() <= 2, "{s}: {ours} vs {theirs}");
    }
}

// ---------------------------------------------------------------- robustness

fn odd_series() -> Vec<Vec<(f64, f64)>> {
    vec![
        vec![],
        vec![(1.0, 2.0)],
        vec![(f64::NAN, f64::NAN)],
        vec![(0.0, 5.0), (1.0, 5.0), (2.0, 5.0)],
        vec![(3.0, 1.0), (3.0, 2.0)],
        vec![(0.0, f64::INFINITY), (1.0, f64::NEG_INFINITY), (2.0, 1.0)],
        vec![(0.0, 1e300), (1.0, -1e300), (2.0, 0.0)],
        vec![(0.0, 1.0), (f64::NAN, 2.0), (2.0, 3.0), (3.0, f64::NAN)],
        vec![(-1e-12, 1e-12), (1e-12, -1e-12)],
        vec![(1e9, 1e9), (2e9, 3e9)],
    ]
}

#[test]
fn line_chart_survives_odd_input() {
    for pts in odd_series() {
        for y_range in [None, Some((0.0, 0.5))] {
            let c = LineChart {
                title: String::new(),
                series: vec![Series {
                    name: String::new(),
                    points: pts.clone(),
                    ..Default::default()
                }],
                y_range,
                ..Default::default()
            };
            decode(&line_chart(&c).unwrap());
        }
    }
    decode(&line_chart(&LineChart::default()).unwrap());
    for y_range in [Some((0.0, 0.0)), Some((1.0, -1.0)), Some((f64::NAN, 1.0))] {
        let c = LineChart {
            series: line_sample().series,
            y_range,
            ..Default::default()
        };
        check(&line_chart(&c).unwrap(), WIDTH, HEIGHT);
    }
    let many = LineChart {
        series: (0..20)
            .map(|k| Series {
                name: format!("s{k}"),
                points: vec![(0.0, k as f64), (1.0, 0.0)],
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    check(&line_chart(&many).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn scatter_survives_odd_input() {
    for pts in odd_series() {
        let c = ScatterChart {
            points: pts
                .iter()
                .map(|&(x, y)| ScatterPoint {
                    label: "a long-ish label".into(),
                    group: String::new(),
                    x,
                    y,
                })
                .collect(),
            ..Default::default()
        };
        decode(&scatter_chart(&c).unwrap());
    }
    decode(&scatter_chart(&ScatterChart::default()).unwrap());
    let crowded = ScatterChart {
        points: (0..500)
            .map(|i| ScatterPoint {
                label: format!("p{i}"),
                group: format!("g{}", i % 12),
                x: (i % 3) as f64,
                y: 0.0,
            })
            .collect(),
        ..Default::default()
    };
    decode(&scatter_chart(&crowded).unwrap());
}

#[test]
fn band_chart_survives_odd_input() {
    for pts in odd_series() {
        let x: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let median: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let c = BandChart {
            series: vec![Band {
                name: "s".into(),
                inner: pts.iter().map(|p| (p.1, p.1)).collect(),
                outer: pts.iter().map(|p| (p.1 + 1.0, p.1 - 1.0)).collect(),
                x,
                median,
            }],
            ..Default::default()
        };
        decode(&band_chart(&c).unwrap());
    }
    // Mismatched lengths.
    let c = BandChart {
        series: vec![Band {
            name: "s".into(),
            x: vec![0.0, 1.0, 2.0],
            median: vec![1.0],
            inner: vec![(0.0, 1.0); 5],
            outer: vec![],
        }],
        ..Default::default()
    };
    decode(&band_chart(&c).unwrap());
    decode(&band_chart(&BandChart::default()).unwrap());
}

#[test]
fn interval_chart_survives_odd_input() {
    let nan = f64::NAN;
    let rows = vec![
        Interval {
            label: "nan".into(),
            estimate: nan,
            lo: nan,
            hi: nan,
            ..Default::default()
        },
        Interval {
            label: "swapped".into(),
            estimate: 1.0,
            lo: 2.0,
            hi: 0.0,
            ..Default::default()
        },
        Interval {
            label: "point".into(),
            estimate: 1.0,
            lo: 1.0,
            hi: 1.0,
            ..Default::default()
        },
        Interval {
            label: "inf".into(),
            estimate: f64::INFINITY,
            lo: 0.0,
            hi: 1e300,
            ..Default::default()
        },
    ];
    for r in &rows {
        for reference in [None, Some(nan), Some(1.0)] {
            let c = IntervalChart {
                rows: vec![r.clone()],
                reference,
                ..Default::default()
            };
            decode(&interval_chart(&c).unwrap());
        }
    }
    let c = IntervalChart {
        rows,
        reference: Some(0.0),
        ..Default::default()
    };
    decode(&interval_chart(&c).unwrap());
    decode(&interval_chart(&IntervalChart::default()).unwrap());
}

#[test]
fn bar_chart_survives_odd_input() {
    let cases = vec![
        BarChart::default(),
        BarChart {
            groups: vec!["a".into()],
            ..Default::default()
        },
        BarChart {
            series: vec![("s".into(), vec![])],
            ..Default::default()
        },
        BarChart {
            series: vec![("s".into(), vec![f64::NAN, 1.0, f64::INFINITY])],
            ..Default::default()
        },
        BarChart {
            groups: vec!["a".into(), "b".into()],
            series: vec![("s".into(), vec![0.0, 0.0])],
            ..Default::default()
        },
        BarChart {
            groups: vec!["a".into(); 3],
            series: vec![("s".into(), vec![-2.0; 3])],
            ..Default::default()
        },
        BarChart {
            groups: (0..500).map(|i| format!("group number {i}")).collect(),
            series: (0..9)
                .map(|s| (format!("s{s}"), vec![s as f64; 500]))
                .collect(),
            ..Default::default()
        },
    ];
    for c in cases {
        decode(&bar_chart(&c).unwrap());
    }
}

#[test]
fn heatmap_survives_odd_input() {
    let nan = f64::NAN;
    let cases = vec![
        Heatmap::default(),
        Heatmap {
            rows: vec!["r".into()],
            ..Default::default()
        },
        Heatmap {
            cols: vec!["c".into()],
            ..Default::default()
        },
        Heatmap {
            values: vec![vec![nan]],
            range: (nan, nan),
            ..Default::default()
        },
        Heatmap {
            values: vec![vec![0.0, 0.0]],
            range: (1.0, 1.0),
            ..Default::default()
        },
        Heatmap {
            values: vec![vec![1.0], vec![], vec![2.0, 3.0, f64::INFINITY]],
            range: (0.0, 3.0),
            ..Default::default()
        },
        Heatmap {
            values: vec![vec![5.0; 300]; 3],
            range: (-1.0, 1.0),
            ..Default::default()
        },
        Heatmap {
            rows: vec!["a very long row label that goes on and on and on and on and on".into()],
            cols: vec!["a very long column label that goes on and on".into(); 4],
            values: vec![vec![-0.5, 0.0, 0.5, 1e300]],
            range: (-1.0, 1.0),
            ..Default::default()
        },
    ];
    for c in cases {
        decode(&heatmap(&c).unwrap());
    }
}

#[test]
fn network_survives_odd_input() {
    let nan = f64::NAN;
    let node = |kind, size, value| NetNode {
        label: "n".into(),
        kind,
        size,
        value,
    };
    let cases = vec![
        NetworkPlot::default(),
        NetworkPlot {
            nodes: vec![node(NodeKind::Population, 1.0, Some(0.5))],
            ..Default::default()
        },
        NetworkPlot {
            nodes: vec![node(NodeKind::Actor, nan, None); 2],
            ..Default::default()
        },
        NetworkPlot {
            nodes: vec![
                node(NodeKind::Population, -1.0, Some(nan)),
                node(NodeKind::Population, f64::INFINITY, Some(7.0)),
            ],
            edges: vec![
                NetEdge {
                    a: 0,
                    b: 1,
                    weight: nan,
                    kind: EdgeKind::Social,
                },
                NetEdge {
                    a: 0,
                    b: 0,
                    weight: 1.0,
                    kind: EdgeKind::Social,
                },
                NetEdge {
                    a: 0,
                    b: 99,
                    weight: 1.0,
                    kind: EdgeKind::Media,
                },
                NetEdge {
                    a: 1,
                    b: 0,
                    weight: -3.0,
                    kind: EdgeKind::Media,
                },
            ],
            ..Default::default()
        },
        // All nodes start on top of each other only if the PRNG says so; many
        // identical nodes with no edges must still spread out without NaN.
        NetworkPlot {
            nodes: vec![node(NodeKind::Population, 0.0, None); 70],
            ..Default::default()
        },
    ];
    for c in cases {
        decode(&network(&c).unwrap());
    }
}

#[test]
fn network_rejects_too_many_nodes() {
    let p = NetworkPlot {
        nodes: vec![NetNode::default(); MAX_NETWORK_NODES + 1],
        ..Default::default()
    };
    assert!(matches!(network(&p), Err(PlotError::TooManyNodes { .. })));
    assert!(network(&p).unwrap_err().to_string().contains("2001"));
}

#[test]
fn network_is_deterministic() {
    let p = network_sample(25, 42);
    let a = network(&p).unwrap();
    let b = network(&p).unwrap();
    assert_eq!(a, b, "same input must give identical bytes");
    let other = network(&network_sample(25, 43)).unwrap();
    assert_ne!(a, other, "the seed should change the layout");
}

#[test]
fn large_network_layout_is_deterministic_and_finite() {
    let p = network_sample(600, 3);
    let edges: Vec<_> = p.edges.iter().map(|e| (e.a, e.b, 1.0, e.kind)).collect();
    let a = super::network::layout(p.nodes.len(), &edges, 3);
    let b = super::network::layout(p.nodes.len(), &edges, 3);
    assert_eq!(a, b);
    assert!(a.iter().all(|q| q.0.is_finite() && q.1.is_finite()));
}

// ---------------------------------------------------------------- helpers

#[test]
fn tick_format_is_consistent() {
    let f = TickFmt::for_ticks(&[0.0, 0.25, 0.5, 0.75]);
    assert_eq!(f.fmt(0.5), "0.50");
    let f = TickFmt::for_ticks(&[0.0, 2e6, 4e6]);
    assert_eq!(f.fmt(4e6), "4M");
    assert_eq!(f.fmt(0.0), "0");
    let f = TickFmt::for_ticks(&[-1.0, -0.5, 0.0]);
    assert_eq!(f.fmt(-0.0), "0.0");
}

#[test]
fn axis_ranges_are_padded() {
    assert_eq!(axis_range(None, 0.1), (0.0, 1.0));
    let (a, b) = axis_range(Some((3.0, 3.0)), 0.1);
    assert!(a < 3.0 && b > 3.0);
    let (a, b) = axis_range(Some((0.0, 0.0)), 0.1);
    assert!(a < 0.0 && b > 0.0);
}

#[test]
fn segment_clipping() {
    let r = clip_segment((-1.0, 0.5), (2.0, 0.5), (0.0, 1.0), (0.0, 1.0)).unwrap();
    assert_eq!(r, ((0.0, 0.5), (1.0, 0.5)));
    assert!(clip_segment((2.0, 2.0), (3.0, 3.0), (0.0, 1.0), (0.0, 1.0)).is_none());
}

#[test]
fn diverging_scale_is_red_negative_blue_positive() {
    let s = Diverging::new((-1.0, 1.0));
    let neg = s.color(-1.0);
    let pos = s.color(1.0);
    let zero = s.color(0.0);
    assert!(neg.0 > neg.2, "negative should be red");
    assert!(pos.2 > pos.0, "positive should be blue");
    assert!(
        zero.0 > 240 && zero.1 > 240 && zero.2 > 240,
        "zero should be white"
    );
}

#[test]
fn extreme_ranges_do_not_panic() {
    for r in [
        (0.0, 1e-300),
        (-1e99, 1e99),
        (1e15, 1e15 + 1.0),
        (-5e-324, 5e-324),
    ] {
        let series = vec![Series {
            name: "s".into(),
            points: vec![(0.0, r.0), (1.0, r.1), (2.0, 0.5)],
            ..Default::default()
        }];
        let c = LineChart {
            series: series.clone(),
            y_range: Some(r),
            ..Default::default()
        };
        decode(&line_chart(&c).unwrap());
        let c = LineChart {
            series,
            ..Default::default()
        };
        decode(&line_chart(&c).unwrap());
        let h = Heatmap {
            values: vec![vec![r.0, r.1]],
            range: r,
            ..Default::default()
        };
        decode(&heatmap(&h).unwrap());
    }
}

#[test]
fn trajectories_render_and_survive_bad_input() {
    let lines: Vec<Series> = (0..300)
        .map(|i| Series {
            name: String::new(),
            points: (0..50)
                .map(|t| {
                    (
                        t as f64,
                        ((i as f64 / 150.0 - 1.0) * (-(t as f64) / 20.0).exp()),
                    )
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let c = LineChart {
        title: "Opinions".into(),
        x_label: "tick".into(),
        y_label: "x".into(),
        series: lines,
        y_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    check(&trajectories(&c).unwrap(), 1200, 750);
    for series in [
        vec![],
        vec![Series {
            name: String::new(),
            points: vec![(0.0, f64::NAN), (1.0, f64::INFINITY)],
            ..Default::default()
        }],
    ] {
        let c = LineChart {
            title: "Empty".into(),
            x_label: "t".into(),
            y_label: "x".into(),
            series,
            y_range: None,
            ..Default::default()
        };
        assert!(trajectories(&c).is_ok());
    }
}

// ---------------------------------------------------------------- figure review (issue 18)

/// Significant digits of a tick label ("0.4667" → 4, "25k" → 2, "4.30e-4" → 3).
fn significant_digits(label: &str) -> usize {
    let mantissa = label.split('e').next().unwrap_or("");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let trimmed = digits.trim_start_matches('0');
    let trimmed = if mantissa.contains('.') {
        trimmed
    } else {
        trimmed.trim_end_matches('0')
    };
    trimmed.len().max(1)
}

#[test]
fn tick_labels_are_short_and_tell_neighbours_apart() {
    for range in [
        (0.0, 1.0),
        (-1.0, 1.0),
        (0.0, 0.4666666666666667),
        (4.25e-4, 4.35e-4),
        (4.3e-4 - 4.3e-5, 4.3e-4 + 4.3e-5),
        (0.0, 2.5e6),
        (1.0e-9, 3.0e-9),
        (0.1, 0.1003),
        (1000.0, 1000.5),
    ] {
        let tk = super::common::ticks(range, 8);
        let f = TickFmt::for_ticks(&tk);
        let labels: Vec<String> = tk.iter().map(|v| f.fmt(*v)).collect();
        for l in &labels {
            assert!(
                significant_digits(l) <= 5,
                "{range:?}: label {l} has too many digits ({labels:?})"
            );
        }
        for w in labels.windows(2) {
            assert_ne!(
                w[0], w[1],
                "{range:?}: neighbouring ticks read alike: {labels:?}"
            );
        }
    }
}

#[test]
fn numbers_for_people_have_few_digits_and_group_thousands() {
    assert_eq!(human(0.4666666666666667, 4), "0.4667");
    assert_eq!(human(0.30000000000000004, 4), "0.3");
    assert_eq!(human(1.7999999999999998, 4), "1.8");
    assert_eq!(human(25000.0, 6), "25,000");
    assert_eq!(human(2000.0, 6), "2000");
    assert_eq!(human(-0.0004321, 2), "-0.00043");
}

#[test]
fn annotations_never_print_a_non_zero_value_as_zero() {
    use super::common::fmt_value_dec;
    for v in [0.0004, -0.0004, 0.00001234, 3e-9] {
        let s = fmt_value_dec(v, 1.0, 0);
        assert!(
            s.chars().any(|c| ('1'..='9').contains(&c)),
            "{v} printed as {s}"
        );
    }
}

#[test]
fn cell_labels_get_enough_decimals_to_tell_cells_apart() {
    use super::common::{extra_decimals, fmt_value_dec};
    let vals = [0.1211, 0.1214, 0.1302, 0.1299, 0.1];
    let e = extra_decimals(&vals, 0.5);
    let mut labels: Vec<String> = vals.iter().map(|v| fmt_value_dec(*v, 0.5, e)).collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), vals.len(), "{labels:?}");
}

#[test]
fn line_colours_keep_contrast_against_white_everywhere() {
    let white = plotters::style::RGBColor(255, 255, 255);
    for k in 0..=100 {
        let c = super::palette::line_diverging(k as f64 / 100.0);
        let r = super::palette::contrast(c, white);
        assert!(r >= 4.5, "t = {k}%: contrast {r:.2} against white");
    }
}

#[test]
fn a_trajectory_ending_at_zero_is_drawn_dark() {
    // Ten populations that all agree on 0 from the start: the classic
    // consensus picture that used to vanish in near-white.
    let c = LineChart {
        title: "consensus".into(),
        series: (0..10)
            .map(|_| Series {
                points: (0..50).map(|t| (t as f64, 0.0)).collect(),
                ..Default::default()
            })
            .collect(),
        y_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    let img = decode(&trajectories(&c).unwrap());
    let white = plotters::style::RGBColor(255, 255, 255);
    let x = img.width() / 2;
    let best = (0..img.height())
        .map(|y| {
            let p = img.get_pixel(x, y).0;
            super::palette::contrast(plotters::style::RGBColor(p[0], p[1], p[2]), white)
        })
        .fold(0.0f64, f64::max);
    assert!(best >= 4.5, "the line at 0 has contrast {best:.2} at most");
}

#[test]
fn thousands_of_trajectories_become_a_density_with_five_highlights() {
    let n = 2000;
    let c = LineChart {
        series: (0..n)
            .map(|i| Series {
                name: format!("p{i}"),
                points: (0..30)
                    .map(|t| (t as f64, ((i as f64) / n as f64 * 2.0 - 1.0) * 0.9))
                    .collect(),
                ..Default::default()
            })
            .collect(),
        y_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    let hi = super::charts::highlighted(&c);
    assert_eq!(hi, vec![0, 500, 1000, 1499, 1999]);
    check(&trajectories(&c).unwrap(), WIDTH, HEIGHT);
}

#[test]
fn a_density_of_series_sharing_their_ticks_is_the_picture_a_search_per_point_draws() {
    // All series share the ticks, so columns are read by position. Reversing the points of
    // one series (symmetric in time, so its final value is unchanged) makes the ticks
    // unshared and sends the same points through the search per point: same bytes. 601
    // ticks exceed the density's column cap, so columns merge.
    let (n, ticks) = (500, 600);
    let chart = |reverse: bool| LineChart {
        series: (0..n)
            .map(|i| {
                let mut points: Vec<(f64, f64)> = (0..=ticks)
                    .map(|t| {
                        let (t, i) = (t as f64, i as f64);
                        let y = if i == 7.0 {
                            (t - 300.0).abs() / 1200.0
                        } else {
                            i / n as f64 * 1.6 - 0.8 + 0.15 * (t / 17.0 + i).sin()
                        };
                        (t, y)
                    })
                    .collect();
                if reverse && i == 7 {
                    points.reverse();
                }
                Series {
                    name: format!("p{i}"),
                    points,
                    ..Default::default()
                }
            })
            .collect(),
        y_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    let (shared, searched) = (chart(false), chart(true));
    assert!(super::charts::shared_xs(&shared).is_some());
    assert!(super::charts::shared_xs(&searched).is_none());
    assert!(!super::charts::highlighted(&shared).contains(&7));
    assert_eq!(
        super::charts::highlighted(&shared),
        super::charts::highlighted(&searched)
    );
    assert!(trajectories(&shared).unwrap() == trajectories(&searched).unwrap());
}

/// A line chart whose lines fill every corner of the plot, with long names.
fn crowded_lines(n: usize) -> LineChart {
    LineChart {
        title: "crowded".into(),
        x_label: "tick".into(),
        y_label: "value".into(),
        series: (0..n)
            .map(|k| Series {
                name: format!("Actor number {k} (a state with a long description) → another actor"),
                points: (0..=100)
                    .map(|t| {
                        let x = t as f64;
                        (
                            x,
                            ((x / 7.0 + k as f64).sin()) * (1.0 - k as f64 / n as f64),
                        )
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn the_legend_never_covers_plotted_points() {
    for c in [
        crowded_lines(3),
        crowded_lines(9),
        crowded_lines(18),
        line_sample(),
    ] {
        let (_, right, at, size) =
            super::charts::line_legend_plan(&c, WIDTH, HEIGHT).expect("named series");
        let pts = super::charts::line_points(&c, WIDTH, HEIGHT, right);
        let inside = pts
            .iter()
            .filter(|p| p.0 >= at.0 && p.0 <= at.0 + size.0 && p.1 >= at.1 && p.1 <= at.1 + size.1)
            .count();
        assert_eq!(
            inside,
            0,
            "{} series: legend covers {inside} points",
            c.series.len()
        );
        assert!(at.0 + size.0 <= WIDTH as i32, "legend leaves the image");
    }
}

#[test]
fn legend_labels_wrap_instead_of_being_cut() {
    let long = "Kestria (partner state, national fact-checking unit) → Valoria (donor state)";
    let lines = super::common::wrap_text(long, 17.0, 300);
    assert!(lines.len() > 1);
    for l in &lines {
        assert!(measure(l, 17.0).0 <= 300, "line too wide: {l}");
        assert!(!l.contains('…'));
    }
    assert_eq!(lines.join(" "), long, "wrapping lost text");
}

#[test]
fn no_text_is_drawn_outside_the_image() {
    // A very long title and long legend labels: the left and right edge
    // columns of the image stay white (text was shrunk or wrapped, not clipped).
    let mut c = crowded_lines(9);
    c.title = "Favourability toward Valoria (donor state, target of the story) in each of \
               2400 populations, with every instrument switched on and a long subtitle"
        .into();
    let img = decode(&line_chart(&c).unwrap());
    for y in 0..img.height() {
        for x in [0, 1, 2, img.width() - 3, img.width() - 2, img.width() - 1] {
            assert_eq!(img.get_pixel(x, y).0, [255, 255, 255], "ink at ({x}, {y})");
        }
    }
}

#[test]
fn sequential_scale_darkens_with_the_value() {
    let s = super::palette::Scale::Sequential(0.0, 1.0);
    let mut prev = f64::INFINITY;
    for k in 0..=20 {
        let l = super::palette::luminance(s.color(k as f64 / 20.0));
        assert!(l < prev, "not monotone at {k}");
        prev = l;
    }
}

#[test]
fn idle_actors_are_left_out_of_the_network() {
    let mut p = network_sample(12, 3);
    p.nodes.push(NetNode {
        label: "idle".into(),
        kind: NodeKind::Actor,
        size: 1.0,
        value: None,
    });
    let q = super::network::without_idle_actors(&p);
    assert_eq!(q.nodes.len(), p.nodes.len() - 1);
    assert!(q.nodes.iter().all(|n| n.label != "idle"));
    assert_eq!(q.edges.len(), p.edges.len());
    check(&network(&p).unwrap(), 1200, 1000);
}

#[test]
fn event_markers_are_drawn_with_their_labels() {
    let mut c = line_sample();
    let plain = decode(&line_chart(&c).unwrap());
    c.markers = vec![Marker {
        x: 10.0,
        label: "week 10: scandal".into(),
    }];
    let marked = decode(&line_chart(&c).unwrap());
    assert!(diff_rows(&plain, &marked, 0, plain.height()) > 200);
}

// ------------------------------------------------- legends, labels and formats

/// Pixel position of a data point on the last chart rendered.
fn data_px(x: f64, y: f64) -> (i32, i32) {
    let l = last_layout().expect("the chart has axes");
    let fx = (x - l.x.0) / (l.x.1 - l.x.0);
    let fy = (y - l.y.0) / (l.y.1 - l.y.0);
    (
        l.plot.0 + (fx * (l.plot.2 - l.plot.0) as f64).round() as i32,
        l.plot.3 - (fy * (l.plot.3 - l.plot.1) as f64).round() as i32,
    )
}

fn legend() -> (i32, i32, i32, i32) {
    super::last_boxes()
        .into_iter()
        .find(|b| b.0 == super::BoxKind::Legend)
        .expect("a legend was drawn")
        .1
}

fn inside(p: (i32, i32), b: (i32, i32, i32, i32)) -> bool {
    p.0 >= b.0 && p.0 <= b.2 && p.1 >= b.1 && p.1 <= b.3
}

#[test]
fn a_scatter_legend_never_covers_a_point_even_when_every_corner_is_full() {
    // A grid of points over the whole plot: no corner is free.
    let mut c = scatter_sample();
    c.points = (0..12)
        .flat_map(|i| {
            (0..8).map(move |j| ScatterPoint {
                label: String::new(),
                group: format!("group {}", (i + j) % 3),
                x: i as f64,
                y: j as f64 - 3.0,
            })
        })
        .collect();
    check(&scatter_chart(&c).unwrap(), WIDTH, HEIGHT);
    let lg = legend();
    for p in &c.points {
        let q = data_px(p.x, p.y);
        assert!(!inside(q, lg), "legend {lg:?} covers the point at {q:?}");
    }
    // With a free corner it stays inside the plot.
    let few = scatter_sample();
    scatter_chart(&few).unwrap();
    let (lg, l) = (legend(), last_layout().unwrap());
    assert!(lg.2 <= l.plot.2, "inside when a corner is free");
}

#[test]
fn a_band_legend_never_covers_a_band() {
    // Wide bands fill the whole plot (their insides, not just their edges).
    let x: Vec<f64> = (0..60).map(|t| t as f64).collect();
    let c = BandChart {
        title: "Bands".into(),
        x_label: "tick".into(),
        y_label: "value".into(),
        series: (0..2)
            .map(|k| Band {
                name: format!("strategy {k}"),
                x: x.clone(),
                median: x.iter().map(|_| 0.5).collect(),
                inner: x.iter().map(|_| (0.2, 0.8)).collect(),
                outer: x.iter().map(|_| (0.0 - k as f64 * 0.01, 1.0)).collect(),
            })
            .collect(),
        inner_label: "50% of runs".into(),
        outer_label: "90% of runs".into(),
    };
    check(&band_chart(&c).unwrap(), WIDTH, HEIGHT);
    let lg = legend();
    for &t in &x {
        for y in [0.05, 0.3, 0.5, 0.7, 0.95] {
            let q = data_px(t, y);
            assert!(!inside(q, lg), "legend {lg:?} covers the band at {q:?}");
        }
    }
}

#[test]
fn a_bar_legend_never_covers_a_bar() {
    let c = BarChart {
        title: "Bars".into(),
        x_label: "group".into(),
        y_label: "value".into(),
        groups: (0..8).map(|g| format!("g{g}")).collect(),
        series: (0..3)
            .map(|s| (format!("series {s}"), vec![10.0; 8]))
            .collect(),
        colors: vec![],
    };
    check(&bar_chart(&c).unwrap(), WIDTH, HEIGHT);
    let lg = legend();
    for g in 0..8 {
        for y in [0.5, 5.0, 9.5] {
            let q = data_px(g as f64 + 0.5, y);
            assert!(!inside(q, lg), "legend {lg:?} covers a bar at {q:?}");
        }
    }
}

#[test]
fn scatter_labels_never_overlap_each_other_or_a_dot() {
    // Many instruments of little spend and gain crowd one spot, as in spend_vs_gain.
    let c = ScatterChart {
        title: "What each instrument bought".into(),
        x_label: "spent".into(),
        y_label: "gain".into(),
        points: (0..14)
            .map(|i| ScatterPoint {
                label: format!("instrument-{i}"),
                group: format!("actor {}", i % 2),
                x: if i < 10 {
                    0.01 * i as f64
                } else {
                    5.0 + i as f64
                },
                y: if i < 10 { 0.001 * i as f64 } else { 0.02 },
            })
            .collect(),
        groups: vec!["actor 0".into(), "actor 1".into()],
    };
    check(&scatter_chart(&c).unwrap(), WIDTH, HEIGHT);
    let labels: Vec<_> = super::last_boxes()
        .into_iter()
        .filter(|b| b.0 == super::BoxKind::Label)
        .map(|b| b.1)
        .collect();
    assert!(labels.len() >= 10, "most labels placed: {}", labels.len());
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
            assert!(!overlap, "labels {a:?} and {b:?} overlap");
        }
        for p in &c.points {
            let q = data_px(p.x, p.y);
            assert!(!inside(q, *a), "label {a:?} covers the dot at {q:?}");
        }
    }
}

#[test]
fn svg_output_comes_from_the_same_chart_code() {
    let c = line_sample();
    let out = Output {
        format: Format::Svg,
        ..Default::default()
    };
    let svg = with_output(out, || line_chart(&c)).unwrap();
    let png_layout = {
        line_chart(&c).unwrap();
        last_layout().unwrap()
    };
    let text = String::from_utf8(svg).unwrap();
    assert!(text.contains("<svg"));
    assert!(text.contains("width=\"12.5in\""), "printed size in inches");
    assert!(text.contains(&format!("viewBox=\"0 0 {WIDTH} {}\"", png_layout.height)));
    for s in &c.series {
        assert!(text.contains(&format!(">\n{}\n<", s.name)) || text.contains(&s.name));
    }
    assert!(
        text.contains(&c.title),
        "the title is text, not glyph outlines"
    );
    // The default setting is back after the scope.
    assert_eq!(current_format(), Format::Png);
}

#[test]
fn a_larger_dpi_scales_the_whole_png_alike() {
    let c = line_sample();
    let big = with_output(
        Output {
            dpi: 192.0,
            ..Default::default()
        },
        || line_chart(&c),
    )
    .unwrap();
    let small = line_chart(&c).unwrap();
    let (b, s) = (decode(&big), decode(&small));
    assert_eq!(b.dimensions(), (2 * s.width(), 2 * s.height()));
    // Same layout: the share of inked pixels is about the same at both sizes.
    let share = |i: &image::RgbImage| non_white(i) as f64 / (i.width() * i.height()) as f64;
    let (sb, ss) = (share(&b), share(&s));
    assert!((sb / ss - 1.0).abs() < 0.35, "ink share {sb} vs {ss}");
}

#[test]
fn a_range_of_rounding_noise_is_padded_like_a_constant() {
    let v = 0.005_2;
    let r = axis_range(Some((v, v + 1e-18)), 0.05);
    assert!(r.0 < v * 0.95 && r.1 > v * 1.05, "{r:?}");
    let c = BandChart {
        title: "flat".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        series: vec![Band {
            name: "mean".into(),
            x: vec![0.0, 1.0, 2.0],
            median: vec![v, v + 1e-18, v],
            inner: vec![(v, v); 3],
            outer: vec![],
        }],
        inner_label: "95% CI".into(),
        outer_label: String::new(),
    };
    band_chart(&c).unwrap();
    let l = last_layout().unwrap();
    assert!(
        l.y.1 - l.y.0 > 1e-4,
        "the axis spans more than the noise: {:?}",
        l.y
    );
}

#[test]
fn dots_at_the_same_place_are_all_visible() {
    let mut c = scatter_sample();
    c.points = ["fact-check", "misinformation", "propaganda"]
        .iter()
        .enumerate()
        .map(|(i, l)| ScatterPoint {
            label: l.to_string(),
            group: format!("actor {i}"),
            x: 36.0,
            y: 0.0,
        })
        .chain([ScatterPoint {
            label: "far".into(),
            group: "actor 0".into(),
            x: 50.0,
            y: 0.1,
        }])
        .collect();
    check(&scatter_chart(&c).unwrap(), WIDTH, HEIGHT);
    let dots: Vec<_> = super::last_boxes()
        .into_iter()
        .filter(|b| b.0 == super::BoxKind::Dot)
        .map(|b| b.1)
        .collect();
    assert_eq!(dots.len(), 4);
    for (i, a) in dots.iter().enumerate() {
        for b in &dots[i + 1..] {
            let d = (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64).sqrt();
            let r = (a.2 - a.0) as f64 / 2.0;
            assert!(d >= 2.0 * r, "dots {a:?} and {b:?} overlap");
        }
    }
    // The lone dot keeps its exact place.
    let (x, y) = data_px(50.0, 0.1);
    let d = dots[3];
    let (dx, dy) = ((d.0 + d.2) / 2 - x, (d.1 + d.3) / 2 - y);
    assert!(dx.abs() <= 2 && dy.abs() <= 2, "moved by ({dx}, {dy})");
}

// ------------------------------------------------- one colour per instrument

/// Colour at the middle of bar `s` (of `ns`, all of height 1) in the only group of the
/// last bar chart rendered.
fn bar_colour(img: &image::RgbImage, s: usize, ns: usize) -> [u8; 3] {
    let bw = 0.8 / ns as f64;
    let p = data_px(0.1 + (s as f64 + 0.5) * bw, 0.5);
    img.get_pixel(p.0 as u32, p.1 as u32).0
}

fn one_group_bars(names: &[&str], colors: Vec<usize>) -> BarChart {
    BarChart {
        title: "Bars".into(),
        x_label: "Team".into(),
        y_label: "value".into(),
        groups: vec!["team".into()],
        series: names.iter().map(|n| (n.to_string(), vec![1.0])).collect(),
        colors,
    }
}

#[test]
fn an_instrument_has_one_colour_in_attribution_and_budget_bars() {
    // As the exercise draws them: attribution by source (no colours given), budget by
    // instrument (slots given) plus what is left.
    let sources = [
        "own campaigns",
        "rivals' actions",
        "misinformation",
        "events",
        "decay and drift",
    ];
    let attribution = decode(&bar_chart(&one_group_bars(&sources, vec![])).unwrap());
    let in_attribution = bar_colour(&attribution, 2, sources.len());
    let others: Vec<[u8; 3]> = [0, 1, 3, 4]
        .iter()
        .map(|&s| bar_colour(&attribution, s, sources.len()))
        .collect();
    let spent = [
        "messaging",
        "misinformation",
        "fact-check",
        "left (carried over)",
    ];
    let budget = decode(&bar_chart(&one_group_bars(&spent, vec![0, 3, 4, 6])).unwrap());
    let in_budget = bar_colour(&budget, 1, spent.len());
    let want = palette::categorical(palette::instrument_slot("misinformation").unwrap());
    assert_eq!(in_attribution, [want.0, want.1, want.2]);
    assert_eq!(
        in_budget, in_attribution,
        "misinformation looks alike in both"
    );
    assert!(
        !others.contains(&in_attribution),
        "no other source of the attribution takes the instrument's colour: {others:?}"
    );
    // A budget drawn with only some instruments, given no slots, keeps them too.
    let partial =
        decode(&bar_chart(&one_group_bars(&["fact_check", "misinformation"], vec![])).unwrap());
    assert_eq!(bar_colour(&partial, 1, 2), in_budget);
}

#[test]
fn an_instrument_line_has_the_instruments_colour() {
    let mut c = line_sample();
    c.series[1].name = "misinformation".into();
    c.series[1].color = None;
    let img = decode(&line_chart(&c).unwrap());
    let want = palette::categorical(palette::instrument_slot("misinformation").unwrap());
    let found = img.pixels().any(|p| p.0 == [want.0, want.1, want.2]);
    assert!(
        found,
        "the misinformation line is drawn in its instrument's colour"
    );
    assert_eq!(
        palette::instrument_slot("Fact-check"),
        palette::instrument_slot("fact_check")
    );
    assert_eq!(palette::instrument_slot("own campaigns"), None);
}

// ------------------------------------------------- interval legends

/// Sobol-like rows: a first-order and a total index per parameter, in [0, 1].
fn sobol_like() -> IntervalChart {
    IntervalChart {
        title: "Sobol indices".into(),
        x_label: "share of output variance".into(),
        rows: (0..8)
            .map(|i| Interval {
                label: format!(
                    "parameter {} ({})",
                    i / 2,
                    if i % 2 == 0 { "first" } else { "total" }
                ),
                estimate: 0.1 * i as f64,
                lo: 0.0,
                hi: 1.0,
                kind: i % 2,
            })
            .collect(),
        reference: Some(0.0),
        kinds: vec!["first-order index".into(), "total index".into()],
    }
}

#[test]
fn an_interval_chart_says_what_its_colours_mean_outside_the_data() {
    let c = sobol_like();
    let img = check(&interval_chart(&c).unwrap(), WIDTH, HEIGHT);
    let (lg, l) = (legend(), last_layout().unwrap());
    assert!(
        lg.0 > l.plot.2,
        "legend {lg:?} lies right of the plot {:?}",
        l.plot
    );
    assert!(lg.2 < img.width() as i32, "and inside the image");
    let n = c.rows.len();
    for (i, r) in c.rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        for x in [r.lo, r.estimate, r.hi] {
            let p = data_px(x, y);
            assert!(!inside(p, lg), "legend covers row {i} at {p:?}");
        }
    }
    // Kinds take their own colours: both appear in the plot.
    for k in 0..2 {
        let want = palette::categorical(k);
        assert!(
            img.pixels().any(|p| p.0 == [want.0, want.1, want.2]),
            "kind {k} drawn"
        );
    }
    // Without kinds, a reference still gets a legend for the colours in use.
    interval_chart(&interval_sample(6)).unwrap();
    let (lg, l) = (legend(), last_layout().unwrap());
    assert!(lg.0 > l.plot.2);
}

// ------------------------------------------------- focused axes

#[test]
fn a_small_move_fills_a_focused_axis() {
    // Stances moving from 0.30 to 0.34 on a −1..1 scale.
    let vals: Vec<f64> = (0..=40).map(|t| 0.30 + 0.001 * t as f64).collect();
    let (lo, hi) = focus_range(vals.iter().copied(), (-1.0, 1.0), 0.0).unwrap();
    assert!(lo <= 0.30 && hi >= 0.34, "holds the data: {lo}..{hi}");
    assert!(
        0.04 / (hi - lo) >= 0.3,
        "the move fills a third of the axis: {lo}..{hi}"
    );
    assert!(lo > 0.0, "0 would flatten it, so it is left out");
}

#[test]
fn a_focused_axis_keeps_zero_when_it_costs_little_and_stays_in_bounds() {
    let (lo, hi) = focus_range([-0.07, 0.0, 0.17], (-1.0, 1.0), 0.0).unwrap();
    assert!(lo < -0.07 && hi > 0.17 && hi - lo < 0.5, "{lo}..{hi}");
    let (lo, hi) = focus_range([0.1, 0.3], (-1.0, 1.0), 0.0).unwrap();
    assert!(lo <= 0.0 && hi >= 0.3, "0 is near: kept ({lo}..{hi})");
    let (lo, hi) = focus_range([0.95, 1.0], (-1.0, 1.0), 0.0).unwrap();
    assert!(
        hi <= 1.0 && (-1.0..=0.95).contains(&lo),
        "within bounds: {lo}..{hi}"
    );
    let (lo, hi) = focus_range([-1.0, 1.0], (-1.0, 1.0), 0.0).unwrap();
    assert_eq!((lo, hi), (-1.0, 1.0));
    assert_eq!(focus_range([f64::NAN], (-1.0, 1.0), 0.0), None);
}

// ------------------------------------------------- no two lines alike

#[test]
fn no_two_lines_of_a_chart_look_alike_even_when_callers_ask_for_it() {
    // As the relations chart of five actors: colour = whom the stance is toward,
    // pattern = who holds it (five holders, so the pattern of the 4th repeats the 1st's
    // when only three patterns exist).
    let mut c = line_sample();
    c.series = (0..5)
        .flat_map(|b| (0..5).filter(move |a| *a != b).map(move |a| (b, a)))
        .map(|(b, a)| Series {
            name: format!("{b} → {a}"),
            points: vec![(0.0, 0.0), (1.0, (a * 5 + b) as f64)],
            color: Some(a),
            dash: Some((b % 3) as u8),
        })
        .collect();
    let styles = super::charts::series_styles(&c);
    for i in 0..styles.len() {
        for j in 0..i {
            assert_ne!(
                (styles[i].0, styles[i].1),
                (styles[j].0, styles[j].1),
                "{} and {} look alike",
                c.series[i].name,
                c.series[j].name
            );
        }
    }
    // The long-dash and dash-dot patterns draw broken lines.
    for dash in [3u8, 4] {
        let mut one = line_sample();
        one.series = vec![Series {
            name: "flat".into(),
            points: (0..100).map(|t| (t as f64, 0.5)).collect(),
            color: Some(0),
            dash: Some(dash),
        }];
        one.y_range = Some((0.0, 1.0));
        let img = decode(&line_chart(&one).unwrap());
        let (_, y) = data_px(50.0, 0.5);
        let (x0, _) = data_px(10.0, 0.5);
        let (x1, _) = data_px(90.0, 0.5);
        let blue = palette::categorical(0);
        let on = (x0..x1)
            .filter(|x| img.get_pixel(*x as u32, y as u32).0 == [blue.0, blue.1, blue.2])
            .count() as i32;
        assert!(
            on > (x1 - x0) / 3 && on < x1 - x0 - 20,
            "pattern {dash}: {on} of {} on",
            x1 - x0
        );
    }
}

// ------------------------------------------------- bar labels

#[test]
fn bar_labels_never_run_into_each_other_and_zero_reads_as_zero() {
    // As an attribution over four teams: one large bar, many tiny ones of mixed size.
    let vals = [
        0.046, -0.0021, -0.18, -0.013, 0.097, 0.00017, 0.0, 0.0, -0.0045, 0.005,
    ];
    let c = BarChart {
        title: "What moved".into(),
        x_label: "Team".into(),
        y_label: "change".into(),
        groups: vec!["a".into(), "b".into()],
        series: (0..5)
            .map(|s| (format!("source {s}"), vec![vals[s], vals[5 + s]]))
            .collect(),
        colors: vec![],
    };
    check(&bar_chart(&c).unwrap(), WIDTH, HEIGHT);
    let labels: Vec<_> = super::last_boxes()
        .into_iter()
        .filter(|b| b.0 == super::BoxKind::Label)
        .map(|b| b.1)
        .collect();
    assert!(labels.len() >= 5, "most bars keep their labels: {labels:?}");
    for i in 0..labels.len() {
        for j in 0..i {
            let (a, b) = (labels[i], labels[j]);
            let apart = a.2 + 2 <= b.0 || b.2 + 2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
            assert!(apart, "labels {a:?} and {b:?} touch");
        }
    }
    assert_eq!(super::common::fmt_value_dec(0.0, 0.3, 1), "0");
    assert_eq!(super::common::fmt_value_dec(-0.0, 0.3, 0), "0");
}

// ------------------------------------------------- trajectories focus

#[test]
fn trajectories_that_drift_a_little_fill_the_axis_and_keep_their_colours() {
    // Eight populations drifting from 0 to between 0.1 and 0.25 on a −1..1 scale.
    let c = LineChart {
        title: "Favourability".into(),
        x_label: "week".into(),
        y_label: "favourability".into(),
        series: (0..8)
            .map(|k| Series {
                name: format!("pop {k}"),
                points: (0..=50)
                    .map(|t| (t as f64, (0.1 + 0.02 * k as f64) * t as f64 / 50.0))
                    .collect(),
                ..Default::default()
            })
            .collect(),
        y_range: Some((-1.0, 1.0)),
        ..Default::default()
    };
    let img = decode(&trajectories(&c).unwrap());
    let l = last_layout().unwrap();
    assert!(
        l.y.0 <= 0.0 && l.y.1 >= 0.24,
        "holds the data and 0: {:?}",
        l.y
    );
    assert!(l.y.1 - l.y.0 < 0.5, "not the whole −1..1: {:?}", l.y);
    // The colour still says the final value on −1..1 (0.24 is a bluish grey).
    let want = palette::line_diverging((0.24 + 1.0) / 2.0);
    let (x, y) = data_px(49.0, 0.24 * 49.0 / 50.0);
    let near = (-3..=3).any(|d| {
        let p = img.get_pixel(x as u32, (y + d) as u32).0;
        (0..3).all(|k| (p[k] as i32 - [want.0, want.1, want.2][k] as i32).abs() < 40)
    });
    assert!(near, "the top line keeps its final-value colour");
}

#[test]
fn highlighted_lines_stand_out_from_the_density_beneath_them() {
    // Each highlight colour against every shade of the density: far apart in RGB.
    for k in 0..5 {
        let c = palette::categorical(k);
        for i in 0..=20 {
            let d = palette::density(i as f64 / 20.0);
            let dist = (((c.0 as f64 - d.0 as f64).powi(2)
                + (c.1 as f64 - d.1 as f64).powi(2)
                + (c.2 as f64 - d.2 as f64).powi(2))
            .sqrt()) as i32;
            assert!(
                dist >= 50,
                "highlight {k} is too close to density shade {i}: {dist}"
            );
        }
    }
    // And the density still reads "more = darker".
    assert!(palette::luminance(palette::density(0.9)) < palette::luminance(palette::density(0.2)));
}
