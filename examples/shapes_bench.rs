//! Time per MB of the generic detector on hostile input shapes (issue 13).
//!
//! `cargo run --release --example shapes_bench [-- MB... [WORD]]` (default: 1 10; a WORD keeps
//! only the shapes whose name contains it) builds each shape at
//! each size in memory and times the generic detector alone (keyword pass, extraction, filters,
//! overlap resolution), so that the figures do not mix in other stages. A linear detector shows
//! a flat time per MB across sizes. Not asserted anywhere: the figures go to README.

use std::time::Instant;

/// (name, file name the blob is scanned as, unit repeated to fill the blob).
const SHAPES: &[(&str, &str, &str)] = &[
    ("password= repeated", "a.env", "password="),
    ("password=x pairs", "a.env", "password=x "),
    ("password=Xy9zQ8wL pairs", "a.env", "password=Xy9zQ8wL "),
    ("\"api_key\": \" repeated", "a.json", "\"api_key\": \""),
    ("docker login -p", "a.sh", "docker login -p "),
    ("password= in code", "a.py", "password="),
    ("password=[ repeated", "a.env", "password=["),
    ("name=password sibling", "a.xml", "name=\"password\" "),
    ("/curl repeated", "a.sh", "/curl"),
    ("login( repeated", "a.py", "login("),
    ("IDENTIFIED repeated", "a.sql", "IDENTIFIED "),
    ("create user ... password", "a.sql", "create user password "),
    ("passwordpassword name", "a.env", "password"),
    ("mysql words", "a.sh", "mysql "),
    (":// repeated", "a.txt", "a://"),
    ("Bearer repeated", "a.txt", "Bearer "),
    ("quoted name", "a.js", "'password' "),
];

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![1, 10] } else { sizes };
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a.parse::<usize>().is_err())
        .collect();
    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>8}",
        "shape", "MB", "seconds", "s/MB", "found"
    );
    for (name, path, unit) in SHAPES
        .iter()
        .filter(|(n, _, _)| only.is_empty() || only.iter().any(|o| n.contains(o.as_str())))
    {
        for &mb in &sizes {
            let blob = unit.as_bytes().repeat((mb << 20) / unit.len());
            let start = Instant::now();
            let found = keytrace::generic::candidates(&blob, path).len();
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name:<28} {mb:>6} {secs:>10.3} {:>10.4} {found:>8}",
                secs / mb as f64
            );
        }
    }
}
