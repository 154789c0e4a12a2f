//! Writes the example rosters `examples/roster-1000.csv` and `examples/roster.xlsx` (and any
//! other size on request): synthetic volunteers with valid check digits, real county codes and
//! Chinese names, about 3 % deliberately bad rows, and `examples/roster-1000.faults.txt`
//! listing which rows are bad and why.
//!
//! `cargo run --example make_rosters` regenerates the shipped files;
//! `cargo run --example make_rosters -- 10000 /tmp/roster-10k.csv` writes another size.

#[path = "../tests/support/roster_gen.rs"]
mod roster_gen;

use std::fmt::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [n, path] = args.as_slice() {
        let rows = roster_gen::generate(n.parse()?, 7, 30, 2026);
        std::fs::write(path, roster_gen::to_csv(&rows))?;
        println!("wrote {n} rows to {path}");
        return Ok(());
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let rows = roster_gen::generate(1000, 2026, 30, 2026);
    std::fs::write(format!("{dir}/roster-1000.csv"), roster_gen::to_csv(&rows))?;
    let mut faults = String::from(
        "# Deliberately bad rows of roster-1000.csv (line numbers count the heading as line 1)\n",
    );
    for (i, r) in rows.iter().enumerate() {
        if let Some(f) = r.fault {
            writeln!(faults, "line {}: {f}", i + 2)?;
        }
    }
    std::fs::write(format!("{dir}/roster-1000.faults.txt"), faults)?;

    let small = roster_gen::generate(50, 11, 60, 2026);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("志愿者花名册")?;
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    for (c, h) in roster_gen::HEADINGS.iter().enumerate() {
        sheet.write_string(0, c as u16, h, &text)?;
    }
    for (r, row) in small.iter().enumerate() {
        for (c, cell) in row.cells.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell, &text)?;
        }
    }
    book.save(&format!("{dir}/roster.xlsx"))?;
    println!(
        "wrote examples/roster-1000.csv ({} bad rows), examples/roster.xlsx ({} rows, {} bad)",
        rows.iter().filter(|r| r.fault.is_some()).count(),
        small.len(),
        small.iter().filter(|r| r.fault.is_some()).count()
    );
    Ok(())
}
