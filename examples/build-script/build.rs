//! Compiles and links `wasm/app.wat` into `$OUT_DIR/app.wasm` and `$OUT_DIR/app_layout.rs`
//! (`pub mod app { … }`). A mistake in the `.wat` fails `cargo build` with the file, line and a
//! caret.

fn main() {
    let mut build = watlink::build::Build::new();
    build.file("wasm/app.wat").stack_size(8192);
    // Setters take `&mut self` (as in the `cc` crate): a conditional one needs no reassignment.
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        build.no_names();
    }
    build.compile("app");
}
