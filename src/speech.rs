//! Read-aloud through the browser's speechSynthesis, in the current language.
//!
//! Browsers without speech get no button at all rather than one that does nothing.

use wasm_bindgen::{prelude::*, JsCast};
use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance};

fn synthesis() -> Option<SpeechSynthesis> {
    let window = web_sys::window()?;
    let value = js_sys::Reflect::get(&window, &JsValue::from_str("speechSynthesis")).ok()?;
    (!value.is_undefined() && !value.is_null()).then(|| value.unchecked_into())
}

/// True when the browser can speak `speech_lang` (a BCP 47 tag such as `ja-JP`). While voices are
/// still loading the list is empty; then the default voice is tried rather than hiding the button.
pub fn can_speak(speech_lang: &str) -> bool {
    let Some(synth) = synthesis() else {
        return false;
    };
    let voices = synth.get_voices();
    if voices.length() == 0 {
        return true;
    }
    let primary = speech_lang.split('-').next().unwrap_or(speech_lang);
    voices.iter().any(|v| {
        v.dyn_into::<web_sys::SpeechSynthesisVoice>()
            .map(|v| v.lang().split(['-', '_']).next() == Some(primary))
            .unwrap_or(false)
    })
}

/// Speaks `text`, interrupting anything already being read; `on_end` runs when it finishes.
pub fn speak(text: &str, speech_lang: &str, on_end: impl FnOnce() + 'static) {
    let Some(synth) = synthesis() else { return };
    synth.cancel();
    let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(text) else {
        return;
    };
    utterance.set_lang(speech_lang);
    let primary = speech_lang
        .split('-')
        .next()
        .unwrap_or(speech_lang)
        .to_owned();
    if let Some(voice) = synth.get_voices().iter().find_map(|v| {
        let v: web_sys::SpeechSynthesisVoice = v.dyn_into().ok()?;
        (v.lang().split(['-', '_']).next() == Some(primary.as_str())).then_some(v)
    }) {
        utterance.set_voice(Some(&voice));
    }
    let done = Closure::once_into_js(on_end);
    utterance.set_onend(Some(done.unchecked_ref()));
    utterance.set_onerror(Some(done.unchecked_ref()));
    synth.speak(&utterance);
}

pub fn stop() {
    if let Some(synth) = synthesis() {
        synth.cancel();
    }
}
