//! What the `standalone` processor does — log and echo its JSON params —
//! as a command: `wasmtime run standalone-cli.wasm '{"a":1}'`. Used only as
//! the peer in host/benches/runtime.rs.

fn main() {
    let params = std::env::args().nth(1).unwrap_or_default();
    eprintln!("params {params:?}");
    match serde_json::from_str::<serde_json::Value>(if params.trim().is_empty() { "{}" } else { &params }) {
        Ok(value) => println!("echo: {value}"),
        Err(e) => {
            println!("invalid job params: {e}");
            std::process::exit(1);
        }
    }
}
