//! Bytes as the shared config and credentials files: parsed, the profile selected, the region
//! and the credentials provider's settings read. Any text is read or refused with a located
//! error; none may panic.

#![no_main]

use smithy_runtime::credentials::{load_profiles, region_from_env, Env};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, credentials) = text.split_once("\n=====\n").unwrap_or((text, ""));
    let env = Env::from_vars([
        ("HOME", "/fuzz"),
        ("AWS_CONFIG_FILE", "/fuzz/config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/fuzz/credentials"),
    ])
    .with_file("/fuzz/config", config)
    .with_file("/fuzz/credentials", credentials);
    match load_profiles(&env) {
        Ok(profiles) => {
            let _ = region_from_env(&env, &profiles);
            for name in profiles.profile_names().map(str::to_owned).collect::<Vec<_>>() {
                let _ = profiles.get(&name, "region");
            }
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
