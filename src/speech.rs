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

/// What the device offers for reading a language aloud.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Voice {
    /// No speech synthesis at all: no read-aloud button.
    Unsupported,
    /// The voice list is still empty (browsers fill it a moment after the page loads).
    Unknown,
    /// Voices, but none for this language: the button says so rather than read with another
    /// language's voice.
    Missing,
    Available,
}

/// Whether the device has a voice for `speech_lang` (a BCP 47 tag such as `vi-VN`).
pub fn voice(speech_lang: &str) -> Voice {
    let Some(synth) = synthesis() else {
        return Voice::Unsupported;
    };
    let voices = synth.get_voices();
    if voices.length() == 0 {
        return Voice::Unknown;
    }
    if find_voice(&synth, speech_lang).is_some() {
        Voice::Available
    } else {
        Voice::Missing
    }
}

thread_local! {
    /// Bumped whenever the browser's list of voices changes (it arrives a moment after load);
    /// one listener for every read-aloud button.
    static VOICES: leptos::prelude::ArcRwSignal<u32> = {
        let version = leptos::prelude::ArcRwSignal::new(0u32);
        if let Some(synth) = synthesis() {
            let bump = version.clone();
            let callback = Closure::<dyn Fn()>::new(move || {
                use leptos::prelude::Update;
                bump.update(|n| *n += 1);
            });
            synth.set_onvoiceschanged(Some(callback.as_ref().unchecked_ref()));
            callback.forget();
        }
        version
    };
}

/// A signal that changes whenever the device's voices do (read it to re-check [`voice`]).
pub fn voices_changed() -> leptos::prelude::ArcRwSignal<u32> {
    VOICES.with(Clone::clone)
}

/// The voice for `speech_lang`: one of exactly that tag, else one of its language (`fil` for
/// `fil-PH`). Never another language's.
fn find_voice(synth: &SpeechSynthesis, speech_lang: &str) -> Option<web_sys::SpeechSynthesisVoice> {
    let norm = |t: &str| t.replace('_', "-").to_ascii_lowercase();
    let wanted = norm(speech_lang);
    let primary = wanted.split('-').next().unwrap_or_default().to_owned();
    let voices: Vec<web_sys::SpeechSynthesisVoice> = synth
        .get_voices()
        .iter()
        .map(|v| v.unchecked_into())
        .collect();
    voices
        .iter()
        .find(|v| norm(&v.lang()) == wanted)
        .or_else(|| {
            voices
                .iter()
                .find(|v| norm(&v.lang()).split('-').next() == Some(primary.as_str()))
        })
        .cloned()
}

/// Speaks `text` with a voice of `speech_lang`, interrupting anything already being read;
/// `on_end` runs when it finishes. Returns false, speaking nothing, when the device has no voice
/// for the language.
pub fn speak(text: &str, speech_lang: &str, on_end: impl FnOnce() + 'static) -> bool {
    let Some(synth) = synthesis() else {
        return false;
    };
    let Some(voice) = find_voice(&synth, speech_lang) else {
        return false;
    };
    synth.cancel();
    let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(text) else {
        return false;
    };
    utterance.set_lang(speech_lang);
    // Through `Reflect`: a setter that throws (a voice the engine no longer has) must not abort.
    let _ = js_sys::Reflect::set(&utterance, &JsValue::from_str("voice"), &voice);
    let done = Closure::once_into_js(on_end);
    utterance.set_onend(Some(done.unchecked_ref()));
    utterance.set_onerror(Some(done.unchecked_ref()));
    synth.speak(&utterance);
    true
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
