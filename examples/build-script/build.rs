//! Compiles and links `wasm/app.wat` into `$OUT_DIR/app.wasm` and `$OUT_DIR/app_layout.rs`.
//! A mistake in the `.wat` fails `cargo build` with the file, line and a caret.

fn main() {
    watlink::build::Build::new()
        .file("wasm/app.wat")
        .stack_size(8192)
        .export("__heap_base")
        .compile("app");
}
