//! Runs LALRPOP over `grammar/`; the generated parsers land in `OUT_DIR`.
fn main() {
    lalrpop::Configuration::new()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("LALRPOP failed to process grammar/");
}
