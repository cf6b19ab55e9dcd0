//! What a panic does in the package (there should be none: parsers are fuzzed, and `unwrap` and
//! `expect` are denied outside tests): the hook installed when the module starts writes the
//! message and its location to `console.error`, prefixed `flexperto-sdk panicked:`, then the
//! release build aborts (profile `panic = "abort"`): the call throws a
//! `WebAssembly.RuntimeError: unreachable`, and the instance must not be used again. In
//! wasm-bindgen tests the message shows in the test's output the same way.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Installs the panic hook; runs once, when the module is instantiated.
/// @internal
#[wasm_bindgen(start)]
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!("flexperto-sdk panicked: {info}"));
    }));
}
