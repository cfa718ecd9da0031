//! Generated populations can start from set attitudes — a list, evenly spaced values, or a
//! column of a CSV file — so classic set-ups (201 equally spaced opinions on a complete
//! graph) need one `[[generate]]` block instead of a population per person.

use softpower::scenario::{Overrides, parse_checked};
use softpower::world::{World, build};
use std::path::Path;

fn group(count: usize, set: &str, dir: &Path) -> Result<World, String> {
    let text = format!(
        "[scenario]\nname = \"t\"\nticks = 1\ndimensions = [\"x\", \"y\"]\n[[actor]]\nid = \"a\"\n\
         [[generate]]\nprefix = \"n\"\ncount = {count}\ngraph = {{ model = \"complete\" }}\n\
         [generate.opinion.a]\ntrust = {{ dist = \"uniform\", min = 0, max = 1 }}\nattitude_values = {set}\n"
    );
    parse_checked(&text, &dir.join("t.toml"), &Overrides::default())
        .map(|(_, sc)| build(&sc))
        .map_err(|e| e.to_string())
}

fn attitudes(w: &World) -> Vec<Vec<f32>> {
    (0..w.pops.len())
        .map(|p| w.opinions.attitude(p, 0).to_vec())
        .collect()
}

#[test]
fn evenly_spaced_values_run_from_first_to_last_on_every_dimension() {
    let w = group(201, "{ from = -1, to = 1 }", Path::new(".")).unwrap();
    for (j, a) in attitudes(&w).iter().enumerate() {
        let x = (-1.0 + 2.0 * j as f64 / 200.0) as f32;
        assert_eq!(a, &vec![x, x], "population {j}");
    }
    // Anchors are the initial values.
    assert_eq!(w.opinions.anchor, w.opinions.x);
}

#[test]
fn a_list_and_a_csv_column_set_the_same_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("start.csv"),
        "id,opinion\nx,0.1\ny,-0.5\nz,0.9\n",
    )
    .unwrap();
    let listed = group(3, "{ values = [0.1, -0.5, 0.9] }", dir.path()).unwrap();
    let read = group(
        3,
        "{ file = \"start.csv\", column = \"opinion\" }",
        dir.path(),
    )
    .unwrap();
    assert_eq!(
        attitudes(&listed),
        vec![vec![0.1, 0.1], vec![-0.5, -0.5], vec![0.9, 0.9]]
    );
    // Same attitudes, and the other draws (trust) are untouched by where values come from.
    assert_eq!(listed.opinions.x, read.opinions.x);
}

#[test]
fn set_values_that_do_not_fit_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("start.csv"), "opinion\n0.1\n").unwrap();
    for (set, says) in [
        ("{ values = [0.1, 0.2] }", "2 values for 3 populations"),
        ("{ values = [0.1, 2, 0] }", "value 1 is 2"),
        ("{ from = -1 }", "both from and to"),
        (
            "{ from = -1, to = 1, values = [0, 0, 0] }",
            "exactly one form",
        ),
        (
            "{ file = \"start.csv\", column = \"x\" }",
            "no column \"x\"",
        ),
        (
            "{ file = \"start.csv\", column = \"opinion\" }",
            "1 values for 3 populations",
        ),
        (
            "{ file = \"missing.csv\", column = \"x\" }",
            "cannot read it",
        ),
    ] {
        let err = group(3, set, dir.path()).expect_err(set);
        assert!(err.contains("attitude_values"), "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
    }
}
