//! Read-aloud through the browser's speechSynthesis, and voice input through its speech
//! recognition, in the current language.
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

/// The browser's speech recognition constructor (`SpeechRecognition`, or Chrome's prefixed one).
/// Through `Reflect` because web-sys has it only behind its unstable APIs.
fn recognition_class() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    ["SpeechRecognition", "webkitSpeechRecognition"]
        .into_iter()
        .find_map(|name| {
            js_sys::Reflect::get(&window, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.dyn_into::<js_sys::Function>().ok())
        })
}

/// True where the browser offers speech recognition; the voice button is shown only then.
pub fn can_listen() -> bool {
    recognition_class().is_some()
}

/// Listens once in `speech_lang`; `on_text` gets what was heard, `on_end` runs when listening
/// stops (heard, silent, refused or failed).
pub fn listen(speech_lang: &str, on_text: impl Fn(String) + 'static, on_end: impl Fn() + 'static) {
    let set = |target: &JsValue, key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
    };
    let Some(class) = recognition_class() else {
        on_end();
        return;
    };
    let Ok(recognition) = js_sys::Reflect::construct(&class, &js_sys::Array::new()) else {
        on_end();
        return;
    };
    set(&recognition, "lang", &JsValue::from_str(speech_lang));
    set(&recognition, "interimResults", &JsValue::FALSE);
    let on_result = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        // event.results[0][0].transcript
        let transcript = js_sys::Reflect::get(&event, &"results".into())
            .and_then(|r| js_sys::Reflect::get_u32(&r, 0))
            .and_then(|r| js_sys::Reflect::get_u32(&r, 0))
            .and_then(|r| js_sys::Reflect::get(&r, &"transcript".into()))
            .ok()
            .and_then(|t| t.as_string());
        if let Some(text) = transcript {
            on_text(text);
        }
    });
    let on_stop = Closure::<dyn Fn()>::new(on_end);
    set(&recognition, "onresult", on_result.as_ref());
    set(&recognition, "onend", on_stop.as_ref());
    on_result.forget();
    on_stop.forget();
    if let Ok(start) = js_sys::Reflect::get(&recognition, &"start".into()) {
        if let Ok(start) = start.dyn_into::<js_sys::Function>() {
            let _ = start.call0(&recognition);
        }
    }
}
