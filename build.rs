//! Runs LALRPOP over `grammar/`; the generated parsers land in `OUT_DIR`. Sets
//! `watlink_tail_dispatch` where the interpreter's handlers may end in tail calls (see
//! `src/exec/interp.rs`): optimized builds on x86-64 and AArch64, where LLVM turns a call in
//! tail position into a jump. Elsewhere (and in unoptimized builds, where the calls would grow
//! the host stack) a loop dispatches.
fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("LALRPOP failed to process grammar/");

    println!("cargo::rustc-check-cfg=cfg(watlink_tail_dispatch)");
    println!("cargo::rerun-if-env-changed=WATLINK_LOOP_DISPATCH");
    let optimized = matches!(
        std::env::var("OPT_LEVEL").as_deref(),
        Ok("2" | "3" | "s" | "z")
    );
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let forced_loop = std::env::var_os("WATLINK_LOOP_DISPATCH").is_some();
    if optimized && matches!(arch.as_str(), "x86_64" | "aarch64") && !forced_loop {
        println!("cargo::rustc-cfg=watlink_tail_dispatch");
    }
}
