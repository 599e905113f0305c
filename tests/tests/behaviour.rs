//! Behaviour of the generated `amplifybackend` crate: the API contract its users rely on.
//!
//! Pins, for the `GetBackendAuth` model in `model/amplifybackend.json`:
//! - the module layout (`types`, `types::error`, `operation::get_backend_auth`, `error`) and the
//!   `AmplifyBackend` service trait at the crate root;
//! - structures: snake_case public fields, every member an `Option` (Smithy 2.0 nullability),
//!   builders with one `impl Into<_>` setter per member, `BuildError` for unset `@required`
//!   members, `Debug`, `Clone` and `PartialEq`;
//! - `@sensitive` shapes redacted in `Debug`, also deep inside an output and inside builders;
//! - enums: one variant per value, a forward-compatible `Unknown`, `as_str`, `From<&str>`,
//!   `FromStr`, `Display` and `values()` in model order;
//! - modelled errors (`CODE`, `STATUS`, `FAULT`, `Display`), the operation's error enum with its
//!   `Unhandled` variant, and `std::error::Error + Send + Sync + 'static`;
//! - the serde wire format against `tests/fixtures/get_backend_auth_response.json`: JSON names,
//!   lossless round trips (unknown enum values included), omitted absent members, ignored unknown
//!   fields;
//! - `#[deprecated]` on exactly the members the model deprecates;
//! - the operation's HTTP binding and an implementation of the service trait driven to completion.

// The deprecated forgot-password members are read and built on purpose: they are part of the
// contract (their deprecation itself is checked on the generated source text).
#![allow(deprecated)]

use std::any::{type_name, TypeId};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::error::Error;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use amplifybackend::error::{BuildError, ErrorFault, UnhandledError};
use amplifybackend::operation::get_backend_auth::builders::GetBackendAuthOutputBuilder;
use amplifybackend::operation::get_backend_auth::{
    GetBackendAuth, GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput,
};
use amplifybackend::operation::Operation;
use amplifybackend::types::error::{
    BadRequestException, GatewayTimeoutException, NotFoundException, TooManyRequestsException,
};
use amplifybackend::types::{
    AdditionalConstraintsElement, AuthResources, BackendAuthAppleProviderConfig, BackendAuthSocialProviderConfig,
    CreateBackendAuthForgotPasswordConfig, CreateBackendAuthIdentityPoolConfig, CreateBackendAuthMfaConfig,
    CreateBackendAuthOAuthConfig, CreateBackendAuthPasswordPolicyConfig, CreateBackendAuthResourceConfig,
    CreateBackendAuthUserPoolConfig, CreateBackendAuthVerificationMessageConfig, DeliveryMethod, EmailSettings,
    MfaMode, MfaTypesElement, OAuthGrantType, OAuthScopesElement, RequiredSignUpAttributesElement, Service, Settings,
    SignInMethod, SmsSettings, SocialProviderSettings,
};
use amplifybackend::AmplifyBackend;
use serde_json::{json, Value};

/// What `Debug` prints instead of a sensitive value.
const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// Namespace of every shape of the bundled model.
const NAMESPACE: &str = "com.amazonaws.amplifybackend#";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn workspace_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()))
}

/// The bundled Smithy model (JSON AST).
fn model() -> Value {
    read_json(&workspace_file("model/amplifybackend.json"))
}

/// A shape of the bundled model by its name in [`NAMESPACE`].
fn shape<'a>(model: &'a Value, name: &str) -> &'a Value {
    let shape = &model["shapes"][format!("{NAMESPACE}{name}")];
    assert!(shape.is_object(), "the model has no shape `{name}`");
    shape
}

/// The name of a shape id within [`NAMESPACE`].
fn local_name(id: &str) -> &str {
    id.strip_prefix(NAMESPACE).unwrap_or(id)
}

/// The complete `GetBackendAuth` response of the reference page, on the wire.
fn fixture() -> Value {
    read_json(&workspace_file("tests/fixtures/get_backend_auth_response.json"))
}

fn fixture_output() -> GetBackendAuthOutput {
    serde_json::from_value(fixture()).expect("the fixture deserializes into GetBackendAuthOutput")
}

/// Compile-time check that a member is nullable, i.e. an `Option`.
fn assert_option<T>(_: &Option<T>) {}

/// A member that must be set: checks at compile time that it is an `Option` and at run time
/// that it is `Some`.
#[track_caller]
fn some<T>(member: &Option<T>) -> &T {
    member.as_ref().expect("member is None")
}

#[track_caller]
fn text(wire: &Value) -> &str {
    wire.as_str()
        .unwrap_or_else(|| panic!("expected a JSON string, found {wire}"))
}

#[track_caller]
fn texts(wire: &Value) -> Vec<&str> {
    let items = wire
        .as_array()
        .unwrap_or_else(|| panic!("expected a JSON array, found {wire}"));
    items.iter().map(text).collect()
}

/// The wire strings of a list of enum values.
fn wire_values<'a, T: AsRef<str> + 'a>(values: impl IntoIterator<Item = &'a T>) -> Vec<&'a str> {
    values.into_iter().map(AsRef::as_ref).collect()
}

fn debug_of(value: &impl std::fmt::Debug) -> [String; 2] {
    [format!("{value:?}"), format!("{value:#?}")]
}

/// Polls a future to completion on the current thread, with a waker that does nothing.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Module layout
// ---------------------------------------------------------------------------------------------

#[test]
fn items_live_at_their_documented_paths() {
    // The `use` declarations above fail to compile if an item moves; the names below also pin
    // which items are the crate's own and which the runtime's, re-exported.
    let paths = [
        (
            type_name::<CreateBackendAuthResourceConfig>(),
            "amplifybackend::types::CreateBackendAuthResourceConfig",
        ),
        (type_name::<MfaMode>(), "amplifybackend::types::MfaMode"),
        (type_name::<AuthResources>(), "amplifybackend::types::AuthResources"),
        (
            type_name::<BadRequestException>(),
            "amplifybackend::types::error::BadRequestException",
        ),
        (
            type_name::<GatewayTimeoutException>(),
            "amplifybackend::types::error::GatewayTimeoutException",
        ),
        (
            type_name::<NotFoundException>(),
            "amplifybackend::types::error::NotFoundException",
        ),
        (
            type_name::<TooManyRequestsException>(),
            "amplifybackend::types::error::TooManyRequestsException",
        ),
        (
            type_name::<GetBackendAuthInput>(),
            "amplifybackend::operation::get_backend_auth::GetBackendAuthInput",
        ),
        (
            type_name::<GetBackendAuthOutput>(),
            "amplifybackend::operation::get_backend_auth::GetBackendAuthOutput",
        ),
        (
            type_name::<GetBackendAuthError>(),
            "amplifybackend::operation::get_backend_auth::GetBackendAuthError",
        ),
        (
            type_name::<GetBackendAuth>(),
            "amplifybackend::operation::get_backend_auth::GetBackendAuth",
        ),
        // What no model describes is the runtime's, shared by every generated crate of a program.
        (type_name::<BuildError>(), "smithy_runtime::error::BuildError"),
        (type_name::<UnhandledError>(), "smithy_runtime::error::UnhandledError"),
    ];
    for (actual, expected) in paths {
        assert_eq!(actual, expected);
    }
}

#[test]
fn service_trait_is_reexported_at_the_crate_root() {
    fn implements_service_module_trait<S: amplifybackend::service::AmplifyBackend>() {}
    // `InMemoryBackend` implements the root re-export; this only compiles if both are one trait.
    implements_service_module_trait::<InMemoryBackend>();
    assert_eq!(amplifybackend::service::SHAPE_ID, format!("{NAMESPACE}AmplifyBackend"));
    assert_eq!(
        amplifybackend::service::VERSION,
        shape(&model(), "AmplifyBackend")["version"]
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Structures and builders
// ---------------------------------------------------------------------------------------------

#[test]
fn every_member_of_the_fixture_reaches_its_field() {
    let wire = fixture();
    let output = fixture_output();

    assert_eq!(some(&output.app_id), text(&wire["appId"]));
    assert_eq!(
        some(&output.backend_environment_name),
        text(&wire["backendEnvironmentName"])
    );
    assert_eq!(some(&output.error), text(&wire["error"]));
    assert_eq!(some(&output.resource_name), text(&wire["resourceName"]));

    let config = some(&output.resource_config);
    let config_wire = &wire["resourceConfig"];
    assert_eq!(some(&config.auth_resources), &AuthResources::IdentityPoolAndUserPool);
    assert_eq!(
        some(&config.auth_resources).as_str(),
        text(&config_wire["authResources"])
    );
    assert_eq!(some(&config.service), &Service::Cognito);

    let identity_pool = some(&config.identity_pool_configs);
    let identity_pool_wire = &config_wire["identityPoolConfigs"];
    assert_eq!(
        some(&identity_pool.identity_pool_name),
        text(&identity_pool_wire["identityPoolName"])
    );
    assert_eq!(
        Some(*some(&identity_pool.unauthenticated_login)),
        identity_pool_wire["unauthenticatedLogin"].as_bool()
    );

    let user_pool = some(&config.user_pool_configs);
    let user_pool_wire = &config_wire["userPoolConfigs"];
    assert_eq!(some(&user_pool.user_pool_name), text(&user_pool_wire["userPoolName"]));
    assert_eq!(some(&user_pool.sign_in_method), &SignInMethod::EmailAndPhoneNumber);
    assert_eq!(
        wire_values(some(&user_pool.required_sign_up_attributes)),
        texts(&user_pool_wire["requiredSignUpAttributes"])
    );

    let forgot_password = some(&user_pool.forgot_password);
    let forgot_password_wire = &user_pool_wire["forgotPassword"];
    assert_eq!(some(&forgot_password.delivery_method), &DeliveryMethod::Email);
    assert_email_settings(
        some(&forgot_password.email_settings),
        &forgot_password_wire["emailSettings"],
    );
    assert_sms_settings(
        some(&forgot_password.sms_settings),
        &forgot_password_wire["smsSettings"],
    );

    let mfa = some(&user_pool.mfa);
    let mfa_wire = &user_pool_wire["mfa"];
    assert_eq!(some(&mfa.mfa_mode).as_str(), text(&mfa_wire["MFAMode"]));
    let mfa_settings = some(&mfa.settings);
    assert_eq!(
        wire_values(some(&mfa_settings.mfa_types)),
        texts(&mfa_wire["settings"]["mfaTypes"])
    );
    assert_eq!(
        some(&mfa_settings.sms_message),
        text(&mfa_wire["settings"]["smsMessage"])
    );

    let o_auth = some(&user_pool.o_auth);
    let o_auth_wire = &user_pool_wire["oAuth"];
    assert_eq!(some(&o_auth.domain_prefix), text(&o_auth_wire["domainPrefix"]));
    assert_eq!(some(&o_auth.o_auth_grant_type), &OAuthGrantType::Code);
    assert_eq!(
        wire_values(some(&o_auth.o_auth_scopes)),
        texts(&o_auth_wire["oAuthScopes"])
    );
    assert_eq!(
        some(&o_auth.redirect_sign_in_uris),
        &texts(&o_auth_wire["redirectSignInURIs"])
    );
    assert_eq!(
        some(&o_auth.redirect_sign_out_uris),
        &texts(&o_auth_wire["redirectSignOutURIs"])
    );

    let social = some(&o_auth.social_provider_settings);
    let social_wire = &o_auth_wire["socialProviderSettings"];
    for (provider, provider_wire) in [
        (some(&social.facebook), &social_wire["Facebook"]),
        (some(&social.google), &social_wire["Google"]),
        (some(&social.login_with_amazon), &social_wire["LoginWithAmazon"]),
    ] {
        assert_eq!(some(&provider.client_id), text(&provider_wire["client_id"]));
        assert_eq!(some(&provider.client_secret), text(&provider_wire["client_secret"]));
    }
    let apple = some(&social.sign_in_with_apple);
    let apple_wire = &social_wire["SignInWithApple"];
    assert_eq!(some(&apple.client_id), text(&apple_wire["client_id"]));
    assert_eq!(some(&apple.key_id), text(&apple_wire["key_id"]));
    assert_eq!(some(&apple.private_key), text(&apple_wire["private_key"]));
    assert_eq!(some(&apple.team_id), text(&apple_wire["team_id"]));

    let password_policy = some(&user_pool.password_policy);
    let password_policy_wire = &user_pool_wire["passwordPolicy"];
    assert_eq!(
        wire_values(some(&password_policy.additional_constraints)),
        texts(&password_policy_wire["additionalConstraints"])
    );
    assert_eq!(
        Some(*some(&password_policy.minimum_length)),
        password_policy_wire["minimumLength"].as_f64()
    );

    let verification = some(&user_pool.verification_message);
    let verification_wire = &user_pool_wire["verificationMessage"];
    assert_eq!(some(&verification.delivery_method), &DeliveryMethod::Sms);
    assert_email_settings(some(&verification.email_settings), &verification_wire["emailSettings"]);
    assert_sms_settings(some(&verification.sms_settings), &verification_wire["smsSettings"]);
}

#[track_caller]
fn assert_email_settings(settings: &EmailSettings, wire: &Value) {
    assert_eq!(some(&settings.email_message), text(&wire["emailMessage"]));
    assert_eq!(some(&settings.email_subject), text(&wire["emailSubject"]));
}

#[track_caller]
fn assert_sms_settings(settings: &SmsSettings, wire: &Value) {
    assert_eq!(some(&settings.sms_message), text(&wire["smsMessage"]));
}

#[test]
fn required_input_members_are_plain_values_set_by_the_builder() {
    let input = GetBackendAuthInput::builder()
        .app_id("d2x8example4k1")
        .backend_environment_name(String::from("staging"))
        .resource_name("photoshareAuth")
        .build()
        .expect("every required member is set");
    assert_option(&input.resource_name);
    assert_eq!(input.app_id, "d2x8example4k1");
    assert_eq!(input.backend_environment_name, "staging");
    assert_eq!(input.resource_name.as_deref(), Some("photoshareAuth"));
}

#[test]
fn error_members_are_options_set_by_the_builder() {
    let not_found = NotFoundException::builder()
        .message("no such app")
        .resource_type("App")
        .build();
    assert_eq!(not_found.message.as_deref(), Some("no such app"));
    assert_eq!(not_found.resource_type.as_deref(), Some("App"));
    let throttled = TooManyRequestsException::builder()
        .limit_type("RequestsPerSecond")
        .message("slow down")
        .build();
    assert_eq!(throttled.limit_type.as_deref(), Some("RequestsPerSecond"));
    assert_eq!(throttled.message.as_deref(), Some("slow down"));
    assert_eq!(
        BadRequestException::builder().message("bad").build().message.as_deref(),
        Some("bad")
    );
    assert_eq!(
        GatewayTimeoutException::builder()
            .message("late")
            .build()
            .message
            .as_deref(),
        Some("late")
    );
}

/// Builds a copy of `output` through the builders, calling every setter of every structure once.
fn rebuild(output: &GetBackendAuthOutput) -> GetBackendAuthOutputBuilder {
    let config = some(&output.resource_config);
    let identity_pool = some(&config.identity_pool_configs);
    let user_pool = some(&config.user_pool_configs);
    let forgot_password = some(&user_pool.forgot_password);
    let mfa = some(&user_pool.mfa);
    let mfa_settings = some(&mfa.settings);
    let o_auth = some(&user_pool.o_auth);
    let social = some(&o_auth.social_provider_settings);
    let apple = some(&social.sign_in_with_apple);
    let password_policy = some(&user_pool.password_policy);
    let verification = some(&user_pool.verification_message);

    let social_provider = |provider: &Option<BackendAuthSocialProviderConfig>| {
        let provider = some(provider);
        BackendAuthSocialProviderConfig::builder()
            .client_id(some(&provider.client_id).as_str())
            .client_secret(some(&provider.client_secret).as_str())
            .build()
    };
    let email_settings = |settings: &Option<EmailSettings>| {
        let settings = some(settings);
        EmailSettings::builder()
            .email_message(some(&settings.email_message).as_str())
            .email_subject(some(&settings.email_subject).as_str())
            .build()
    };
    let sms_settings = |settings: &Option<SmsSettings>| {
        SmsSettings::builder()
            .sms_message(some(&some(settings).sms_message))
            .build()
    };

    let user_pool_config = CreateBackendAuthUserPoolConfig::builder()
        .forgot_password(
            CreateBackendAuthForgotPasswordConfig::builder()
                .delivery_method(some(&forgot_password.delivery_method).clone())
                .email_settings(email_settings(&forgot_password.email_settings))
                .sms_settings(sms_settings(&forgot_password.sms_settings))
                .build()
                .expect("delivery_method is set"),
        )
        .mfa(
            CreateBackendAuthMfaConfig::builder()
                .mfa_mode(some(&mfa.mfa_mode).clone())
                .settings(
                    Settings::builder()
                        .mfa_types(some(&mfa_settings.mfa_types).clone())
                        .sms_message(some(&mfa_settings.sms_message).as_str())
                        .build(),
                )
                .build()
                .expect("mfa_mode is set"),
        )
        .o_auth(
            CreateBackendAuthOAuthConfig::builder()
                .domain_prefix(some(&o_auth.domain_prefix).as_str())
                .o_auth_grant_type(some(&o_auth.o_auth_grant_type).clone())
                .o_auth_scopes(some(&o_auth.o_auth_scopes).clone())
                .redirect_sign_in_uris(some(&o_auth.redirect_sign_in_uris).clone())
                .redirect_sign_out_uris(some(&o_auth.redirect_sign_out_uris).clone())
                .social_provider_settings(
                    SocialProviderSettings::builder()
                        .facebook(social_provider(&social.facebook))
                        .google(social_provider(&social.google))
                        .login_with_amazon(social_provider(&social.login_with_amazon))
                        .sign_in_with_apple(
                            BackendAuthAppleProviderConfig::builder()
                                .client_id(some(&apple.client_id).as_str())
                                .key_id(some(&apple.key_id).as_str())
                                .private_key(some(&apple.private_key).as_str())
                                .team_id(some(&apple.team_id).as_str())
                                .build(),
                        )
                        .build(),
                )
                .build()
                .expect("every required OAuth member is set"),
        )
        .password_policy(
            CreateBackendAuthPasswordPolicyConfig::builder()
                .additional_constraints(some(&password_policy.additional_constraints).clone())
                .minimum_length(*some(&password_policy.minimum_length))
                .build()
                .expect("minimum_length is set"),
        )
        .required_sign_up_attributes(some(&user_pool.required_sign_up_attributes).clone())
        .sign_in_method(some(&user_pool.sign_in_method).clone())
        .user_pool_name(some(&user_pool.user_pool_name).as_str())
        .verification_message(
            CreateBackendAuthVerificationMessageConfig::builder()
                .delivery_method(some(&verification.delivery_method).clone())
                .email_settings(email_settings(&verification.email_settings))
                .sms_settings(sms_settings(&verification.sms_settings))
                .build()
                .expect("delivery_method is set"),
        )
        .build()
        .expect("every required user pool member is set");

    let resource_config = CreateBackendAuthResourceConfig::builder()
        .auth_resources(some(&config.auth_resources).clone())
        .identity_pool_configs(
            CreateBackendAuthIdentityPoolConfig::builder()
                .identity_pool_name(some(&identity_pool.identity_pool_name).as_str())
                .unauthenticated_login(*some(&identity_pool.unauthenticated_login))
                .build()
                .expect("every required identity pool member is set"),
        )
        .service(some(&config.service).clone())
        .user_pool_configs(user_pool_config)
        .build()
        .expect("every required resource config member is set");

    GetBackendAuthOutput::builder()
        .app_id(some(&output.app_id).as_str())
        .backend_environment_name(some(&output.backend_environment_name).as_str())
        .error(some(&output.error).as_str())
        .resource_config(resource_config)
        .resource_name(some(&output.resource_name).as_str())
}

#[test]
fn each_setter_sets_its_own_member() {
    // Every value of the fixture is distinct, so a setter that wrote another member would make
    // the copy differ from the original.
    let output = fixture_output();
    assert_eq!(rebuild(&output).build(), output);
}

#[test]
fn structures_are_debug_clone_and_partial_eq() {
    let output = fixture_output();
    let copy = output.clone();
    assert_eq!(copy, output);
    assert!(format!("{copy:?}").starts_with("GetBackendAuthOutput {"), "{copy:?}");

    let mut changed = copy;
    changed
        .resource_config
        .as_mut()
        .and_then(|config| config.user_pool_configs.as_mut())
        .expect("user pool")
        .user_pool_name = Some("anotherUserPool".to_owned());
    assert_ne!(changed, output, "a deeply nested change makes values unequal");
    assert_ne!(GetBackendAuthOutput::default(), output);
}

#[test]
fn build_reports_the_first_unset_required_member() {
    let err = GetBackendAuthInput::builder().build().expect_err("nothing is set");
    assert_eq!((err.shape(), err.member()), ("GetBackendAuthInput", "app_id"));

    let err = GetBackendAuthInput::builder()
        .app_id("app")
        .resource_name("auth")
        .build()
        .expect_err("env is unset");
    assert_eq!(
        (err.shape(), err.member()),
        ("GetBackendAuthInput", "backend_environment_name")
    );
    let message = err.to_string();
    assert!(
        message.contains("GetBackendAuthInput") && message.contains("backend_environment_name"),
        "{message}"
    );

    let err = GetBackendAuthInput::builder()
        .app_id("app")
        .backend_environment_name("env")
        .build()
        .unwrap_err();
    assert_eq!(err.member(), "resource_name");

    let user_pool = || {
        CreateBackendAuthUserPoolConfig::builder()
            .required_sign_up_attributes(vec![RequiredSignUpAttributesElement::Email])
            .sign_in_method(SignInMethod::Email)
            .user_pool_name("pool")
            .build()
            .expect("optional members may stay unset")
    };
    let config = CreateBackendAuthResourceConfig::builder;
    let cases = [
        (
            config().service(Service::Cognito).user_pool_configs(user_pool()),
            "auth_resources",
        ),
        (
            config()
                .auth_resources(AuthResources::UserPoolOnly)
                .user_pool_configs(user_pool()),
            "service",
        ),
        (
            config()
                .auth_resources(AuthResources::UserPoolOnly)
                .service(Service::Cognito),
            "user_pool_configs",
        ),
    ];
    for (builder, missing) in cases {
        let err = builder.build().expect_err("a required member is unset");
        assert_eq!(
            (err.shape(), err.member()),
            ("CreateBackendAuthResourceConfig", missing)
        );
    }
    let complete = config()
        .auth_resources(AuthResources::UserPoolOnly)
        .service(Service::Cognito)
        .user_pool_configs(user_pool())
        .build()
        .expect("identity_pool_configs is optional");
    assert_eq!(complete.identity_pool_configs, None);

    let err = CreateBackendAuthMfaConfig::builder()
        .settings(Settings::builder().build())
        .build()
        .unwrap_err();
    assert_eq!((err.shape(), err.member()), ("CreateBackendAuthMfaConfig", "mfa_mode"));

    let boxed: Box<dyn Error + Send + Sync> = Box::new(err.clone());
    assert_eq!(boxed.to_string(), err.to_string());
}

#[test]
fn builders_without_required_members_build_infallibly() {
    // The type annotations are the contract: no `Result` to unwrap.
    let email: EmailSettings = EmailSettings::builder().email_subject("Welcome").build();
    assert_eq!(email.email_subject.as_deref(), Some("Welcome"));
    assert_eq!(email.email_message, None);

    let sms: SmsSettings = SmsSettings::builder().build();
    assert_eq!(sms, SmsSettings::default());

    let settings: Settings = Settings::builder().mfa_types([MfaTypesElement::Totp]).build();
    assert_eq!(settings.mfa_types, Some(vec![MfaTypesElement::Totp]));

    let social: SocialProviderSettings = SocialProviderSettings::builder().build();
    assert_eq!(social.facebook, None);

    let output: GetBackendAuthOutput = GetBackendAuthOutput::builder().build();
    assert_eq!(output, GetBackendAuthOutput::default());
}

// ---------------------------------------------------------------------------------------------
// 3. @sensitive
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_redacted(debug: &impl std::fmt::Debug, secrets: &[&str]) {
    for rendered in debug_of(debug) {
        assert!(rendered.contains(REDACTED), "not redacted: {rendered}");
        for secret in secrets {
            assert!(!rendered.contains(secret), "`{secret}` leaks through Debug: {rendered}");
        }
    }
}

#[test]
fn sensitive_structures_redact_their_members() {
    let email = EmailSettings::builder()
        .email_message("reset code 739120")
        .email_subject("Reset for alice");
    assert_redacted(&email, &["reset code 739120", "Reset for alice"]);
    assert_redacted(&email.build(), &["reset code 739120", "Reset for alice"]);

    let sms = SmsSettings::builder().sms_message("code 448812");
    assert_redacted(&sms, &["code 448812"]);
    assert_redacted(&sms.build(), &["code 448812"]);

    let social = BackendAuthSocialProviderConfig::builder()
        .client_id("fb-client-1")
        .client_secret("fb-secret-2");
    assert_redacted(&social, &["fb-client-1", "fb-secret-2"]);
    assert_redacted(&social.build(), &["fb-client-1", "fb-secret-2"]);

    let apple = BackendAuthAppleProviderConfig::builder()
        .client_id("com.example.id")
        .key_id("KEY123")
        .private_key("-----PRIVATE-----")
        .team_id("TEAM456");
    let apple_secrets = ["com.example.id", "KEY123", "-----PRIVATE-----", "TEAM456"];
    assert_redacted(&apple, &apple_secrets);
    assert_redacted(&apple.build(), &apple_secrets);
}

#[test]
fn structures_holding_sensitive_members_redact_only_those() {
    let builder = CreateBackendAuthVerificationMessageConfig::builder()
        .delivery_method(DeliveryMethod::Email)
        .email_settings(EmailSettings::builder().email_message("verify 5521").build());
    assert_redacted(&builder, &["verify 5521"]);
    let config = builder.build().expect("delivery_method is set");
    assert_redacted(&config, &["verify 5521"]);
    assert!(
        format!("{config:?}").contains("Email"),
        "the delivery method is not sensitive: {config:?}"
    );
}

/// The wire names of members that target a `@sensitive` shape.
fn sensitive_wire_names(model: &Value) -> BTreeSet<String> {
    let shapes = model["shapes"].as_object().expect("shapes");
    let is_sensitive = |id: &str| {
        shapes
            .get(id)
            .is_some_and(|shape| shape["traits"].get("smithy.api#sensitive").is_some())
    };
    shapes
        .values()
        .filter_map(|shape| shape["members"].as_object())
        .flatten()
        .filter(|(_, member)| is_sensitive(text(&member["target"])))
        .map(|(name, member)| {
            member["traits"]["smithy.api#jsonName"]
                .as_str()
                .unwrap_or(name)
                .to_owned()
        })
        .collect()
}

/// Every string in a JSON value, split by whether it sits below a sensitive member.
fn collect_strings(
    wire: &Value,
    sensitive_names: &BTreeSet<String>,
    below_sensitive: bool,
    out: &mut [Vec<String>; 2],
) {
    match wire {
        Value::String(value) => out[usize::from(below_sensitive)].push(value.clone()),
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_strings(item, sensitive_names, below_sensitive, out)),
        Value::Object(members) => {
            for (name, value) in members {
                let sensitive = below_sensitive || sensitive_names.contains(name);
                collect_strings(value, sensitive_names, sensitive, out);
            }
        }
        _ => {}
    }
}

#[test]
fn secrets_nested_deep_in_an_output_never_reach_debug() {
    let sensitive_names = sensitive_wire_names(&model());
    assert!(sensitive_names.contains("emailSettings") && sensitive_names.contains("SignInWithApple"));

    let mut strings = [Vec::new(), Vec::new()];
    collect_strings(&fixture(), &sensitive_names, false, &mut strings);
    let [public, secrets] = strings;
    // 2 x email (2), 2 x SMS (1), 3 social providers (2), Sign in with Apple (4).
    assert_eq!(secrets.len(), 2 * 2 + 2 + 3 * 2 + 4, "{secrets:?}");
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();

    let output = fixture_output();
    assert_redacted(&output, &secrets);
    assert_redacted(&rebuild(&output), &secrets);
    assert_redacted(some(&output.resource_config), &secrets);

    // Redaction is targeted: free-text members that are not sensitive stay readable.
    let user_pool = some(&some(&output.resource_config).user_pool_configs);
    let readable = [
        some(&output.app_id),
        some(&user_pool.user_pool_name),
        some(&some(&user_pool.o_auth).domain_prefix),
        some(&some(&some(&user_pool.mfa).settings).sms_message),
    ];
    let debug = format!("{output:?}");
    for value in readable {
        assert!(
            public.contains(value),
            "`{value}` is not a public string of the fixture"
        );
        assert!(
            debug.contains(value.as_str()),
            "`{value}` is missing from Debug: {debug}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Enums
// ---------------------------------------------------------------------------------------------

/// The wire values of an enum shape of the model, in model order.
fn model_enum_values(model: &Value, name: &str) -> Vec<String> {
    let members = shape(model, name)["members"].as_object().expect("enum members");
    members
        .values()
        .map(|member| text(&member["traits"]["smithy.api#enumValue"]).to_owned())
        .collect()
}

/// Checks an enum against the model and the listed variants; evaluates to the shape's name.
macro_rules! assert_enum_contract {
    ($model:expr, $ty:ident for $shape:literal { $($variant:ident => $wire:literal),+ $(,)? }) => {{
        let listed: Vec<($ty, &str)> = vec![$(($ty::$variant, $wire)),+];
        assert_eq!($ty::values(), model_enum_values($model, $shape), "{}::values()", stringify!($ty));
        assert_eq!($ty::values(), listed.iter().map(|(_, wire)| *wire).collect::<Vec<_>>());

        for (variant, wire) in &listed {
            assert_eq!(variant.as_str(), *wire);
            assert_eq!(&$ty::from(*wire), variant);
            assert_eq!(&wire.parse::<$ty>().expect("infallible"), variant);
            assert_eq!(variant.to_string(), *wire);
            assert_eq!(<$ty as AsRef<str>>::as_ref(variant), *wire);
            assert_eq!(serde_json::to_value(variant).unwrap(), json!(wire));
            assert_eq!(&serde_json::from_value::<$ty>(json!(wire)).unwrap(), variant);
        }
        let distinct: HashSet<$ty> = $ty::values().iter().map(|wire| $ty::from(*wire)).collect();
        assert_eq!(distinct.len(), $ty::values().len(), "values map to distinct variants");
        for wire in $ty::values() {
            let parsed = $ty::from(*wire);
            assert!(!matches!(parsed, $ty::Unknown(_)), "`{wire}` parses as Unknown");
            assert_eq!(parsed.as_str(), *wire);
        }

        // Forward compatibility: a value from a newer model is kept as is, and wire values are
        // case-sensitive.
        let future_value = concat!("FUTURE_", $shape);
        let lowercase = $ty::values()[0].to_lowercase();
        for unknown in [future_value, lowercase.as_str()] {
            let parsed = $ty::from(unknown);
            match &parsed {
                $ty::Unknown(value) => assert_eq!(value.as_str(), unknown),
                other => panic!("`{unknown}` parsed as {other:?}"),
            }
            assert_eq!(parsed.as_str(), unknown);
            assert_eq!(parsed.to_string(), unknown);
            assert_eq!(unknown.parse::<$ty>().expect("infallible"), parsed);
            assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(unknown));
            assert_eq!(serde_json::from_value::<$ty>(json!(unknown)).unwrap(), parsed);
        }
        $shape
    }};
}

#[test]
fn enums_have_a_variant_per_value_and_keep_unknown_values() {
    let model = model();
    let checked = BTreeSet::from([
        assert_enum_contract!(&model, AuthResources for "AuthResources" {
            UserPoolOnly => "USER_POOL_ONLY",
            IdentityPoolAndUserPool => "IDENTITY_POOL_AND_USER_POOL",
        }),
        assert_enum_contract!(&model, Service for "Service" { Cognito => "COGNITO" }),
        assert_enum_contract!(&model, DeliveryMethod for "DeliveryMethod" { Email => "EMAIL", Sms => "SMS" }),
        assert_enum_contract!(&model, MfaMode for "MFAMode" { On => "ON", Off => "OFF", Optional => "OPTIONAL" }),
        assert_enum_contract!(&model, MfaTypesElement for "MfaTypesElement" { Sms => "SMS", Totp => "TOTP" }),
        assert_enum_contract!(&model, OAuthGrantType for "OAuthGrantType" { Code => "CODE", Implicit => "IMPLICIT" }),
        assert_enum_contract!(&model, OAuthScopesElement for "OAuthScopesElement" {
            Phone => "PHONE",
            Email => "EMAIL",
            Openid => "OPENID",
            Profile => "PROFILE",
            AwsCognitoSigninUserAdmin => "AWS_COGNITO_SIGNIN_USER_ADMIN",
        }),
        assert_enum_contract!(&model, AdditionalConstraintsElement for "AdditionalConstraintsElement" {
            RequireDigit => "REQUIRE_DIGIT",
            RequireLowercase => "REQUIRE_LOWERCASE",
            RequireSymbol => "REQUIRE_SYMBOL",
            RequireUppercase => "REQUIRE_UPPERCASE",
        }),
        assert_enum_contract!(&model, RequiredSignUpAttributesElement for "RequiredSignUpAttributesElement" {
            Address => "ADDRESS",
            Birthdate => "BIRTHDATE",
            Email => "EMAIL",
            FamilyName => "FAMILY_NAME",
            Gender => "GENDER",
            GivenName => "GIVEN_NAME",
            Locale => "LOCALE",
            MiddleName => "MIDDLE_NAME",
            Name => "NAME",
            Nickname => "NICKNAME",
            PhoneNumber => "PHONE_NUMBER",
            Picture => "PICTURE",
            PreferredUsername => "PREFERRED_USERNAME",
            Profile => "PROFILE",
            UpdatedAt => "UPDATED_AT",
            Website => "WEBSITE",
            ZoneInfo => "ZONE_INFO",
        }),
        assert_enum_contract!(&model, SignInMethod for "SignInMethod" {
            Email => "EMAIL",
            EmailAndPhoneNumber => "EMAIL_AND_PHONE_NUMBER",
            PhoneNumber => "PHONE_NUMBER",
            Username => "USERNAME",
        }),
    ]);

    let model_enums: BTreeSet<&str> = model["shapes"]
        .as_object()
        .expect("shapes")
        .iter()
        .filter(|(_, shape)| shape["type"] == "enum")
        .map(|(id, _)| local_name(id))
        .collect();
    assert_eq!(checked, model_enums, "every enum of the model is checked");
}

// ---------------------------------------------------------------------------------------------
// 5. Errors
// ---------------------------------------------------------------------------------------------

fn assert_error_bounds<E: Error + Send + Sync + 'static>() {}

/// Checks a modelled error against its shape; evaluates to its `CODE`.
macro_rules! assert_error_contract {
    ($model:expr, $ty:ident, $variant:ident) => {{
        assert_error_bounds::<$ty>();
        let error_shape = shape($model, $ty::CODE);
        assert_eq!(
            type_name::<$ty>().rsplit("::").next(),
            Some($ty::CODE),
            "CODE is the shape name"
        );
        assert_eq!(error_shape["traits"]["smithy.api#httpError"], json!($ty::STATUS));
        let fault = match text(&error_shape["traits"]["smithy.api#error"]) {
            "client" => ErrorFault::Client,
            "server" => ErrorFault::Server,
            other => panic!("unexpected error trait `{other}`"),
        };
        assert_eq!($ty::FAULT, fault);

        let message = concat!("explanation of ", stringify!($ty));
        let error = $ty::builder().message(message).build();
        assert_eq!(error.message(), Some(message));
        let display = error.to_string();
        assert!(display.contains($ty::CODE) && display.contains(message), "{display}");
        assert_eq!((&error as &dyn Error).to_string(), display);
        assert_eq!($ty::builder().build().to_string(), $ty::CODE);
        assert_eq!($ty::builder().build().message(), None);

        let operation_error = GetBackendAuthError::from(error.clone());
        match &operation_error {
            GetBackendAuthError::$variant(inner) => assert_eq!(inner, &error),
            other => panic!("converted into {other:?}"),
        }
        assert_eq!(operation_error.code(), Some($ty::CODE));
        assert_eq!(operation_error.message(), Some(message));
        assert_eq!(operation_error.status(), $ty::STATUS);
        assert_eq!(operation_error.to_string(), display);
        $ty::CODE
    }};
}

#[test]
fn modelled_errors_carry_code_status_and_fault() {
    let model = model();
    let codes = BTreeSet::from([
        assert_error_contract!(&model, BadRequestException, BadRequestException),
        assert_error_contract!(&model, GatewayTimeoutException, GatewayTimeoutException),
        assert_error_contract!(&model, NotFoundException, NotFoundException),
        assert_error_contract!(&model, TooManyRequestsException, TooManyRequestsException),
    ]);
    let operation_errors: BTreeSet<&str> = shape(&model, "GetBackendAuth")["errors"]
        .as_array()
        .expect("operation errors")
        .iter()
        .map(|error| local_name(text(&error["target"])))
        .collect();
    assert_eq!(
        codes, operation_errors,
        "GetBackendAuthError has a variant per modelled error"
    );

    let statuses = [
        BadRequestException::STATUS,
        GatewayTimeoutException::STATUS,
        NotFoundException::STATUS,
        TooManyRequestsException::STATUS,
    ];
    assert_eq!(statuses, [400, 504, 404, 429]);
    assert_eq!(GatewayTimeoutException::FAULT, ErrorFault::Server);
    assert_eq!(TooManyRequestsException::FAULT, ErrorFault::Client);
}

#[test]
fn unmodelled_errors_keep_status_code_and_message() {
    let unhandled = UnhandledError::new(503)
        .with_code("ServiceUnavailableException")
        .with_message("try again later");
    assert_eq!(unhandled.status(), 503);
    assert_eq!(unhandled.code(), Some("ServiceUnavailableException"));
    assert_eq!(unhandled.message(), Some("try again later"));

    let error = GetBackendAuthError::from(unhandled.clone());
    assert!(matches!(&error, GetBackendAuthError::Unhandled(inner) if *inner == unhandled));
    assert_eq!(error.status(), 503);
    assert_eq!(error.code(), Some("ServiceUnavailableException"));
    assert_eq!(error.message(), Some("try again later"));
    let display = error.to_string();
    for part in ["503", "ServiceUnavailableException", "try again later"] {
        assert!(display.contains(part), "`{part}` is missing from `{display}`");
    }

    let bare = GetBackendAuthError::from(UnhandledError::new(500));
    assert_eq!((bare.status(), bare.code(), bare.message()), (500, None, None));
    assert!(bare.to_string().contains("500"), "{bare}");
}

#[test]
fn operation_errors_are_thread_safe_std_errors() {
    assert_error_bounds::<GetBackendAuthError>();
    assert_error_bounds::<UnhandledError>();
    assert_error_bounds::<BuildError>();
    assert_error_bounds::<<GetBackendAuth as Operation>::Error>();

    fn fails() -> Result<(), Box<dyn Error + Send + Sync + 'static>> {
        Err(GetBackendAuthError::from(
            TooManyRequestsException::builder().limit_type("burst").build(),
        ))?;
        Ok(())
    }
    let boxed = fails().expect_err("fails");
    let error = boxed
        .downcast_ref::<GetBackendAuthError>()
        .expect("the boxed error is a GetBackendAuthError");
    assert_eq!(error.status(), 429);
    assert_eq!(
        std::thread::spawn(move || boxed.to_string()).join().unwrap(),
        TooManyRequestsException::CODE
    );
}

// ---------------------------------------------------------------------------------------------
// 6. serde
// ---------------------------------------------------------------------------------------------

/// Checks that `wire` has exactly the members of structure `name` under their wire names, each
/// filled, recursing into nested structures; lists of enums must hold every value.
fn assert_complete(model: &Value, name: &str, wire: &Value, path: &str) {
    let members = shape(model, name)["members"].as_object().expect("structure members");
    let object = wire.as_object().unwrap_or_else(|| panic!("{path} is not an object"));
    let expected: BTreeMap<&str, &str> = members
        .iter()
        .map(|(member, definition)| {
            let wire_name = definition["traits"]["smithy.api#jsonName"].as_str().unwrap_or(member);
            (wire_name, text(&definition["target"]))
        })
        .collect();
    assert_eq!(
        object.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected.keys().copied().collect(),
        "{path}"
    );

    for (wire_name, target) in expected {
        let value = &object[wire_name];
        let path = format!("{path}/{wire_name}");
        let target_shape = &model["shapes"][target];
        match target_shape["type"].as_str() {
            Some("structure") => assert_complete(model, local_name(target), value, &path),
            Some("list") => {
                let items = texts(value);
                assert!(!items.is_empty(), "{path} is empty");
                let item_target = text(&target_shape["member"]["target"]);
                if model["shapes"][item_target]["type"] == "enum" {
                    let all = model_enum_values(model, local_name(item_target));
                    assert_eq!(items, all, "{path} lists every value in model order");
                }
            }
            _ => assert!(!value.is_null(), "{path} is null"),
        }
    }
}

#[test]
fn fixture_fills_every_member_under_its_wire_name() {
    assert_complete(&model(), "GetBackendAuthResponse", &fixture(), "");
}

#[test]
fn fixture_round_trips_unchanged() {
    let wire = fixture();
    let output: GetBackendAuthOutput = serde_json::from_value(wire.clone()).expect("deserializes");
    assert_eq!(serde_json::to_value(&output).expect("serializes"), wire);

    let text = serde_json::to_string(&output).expect("serializes");
    assert_eq!(
        serde_json::from_str::<GetBackendAuthOutput>(&text).expect("deserializes"),
        output
    );
}

#[test]
fn unknown_enum_values_survive_a_round_trip() {
    let wire = json!({
        "resourceConfig": {
            "authResources": "FUTURE_MODE",
            "service": "COGNITO",
            "userPoolConfigs": {
                "mfa": {
                    "MFAMode": "ON",
                    "settings": { "mfaTypes": ["SMS", "WEBAUTHN", "TOTP"] }
                },
                "signInMethod": "PASSKEY"
            }
        }
    });
    let output: GetBackendAuthOutput = serde_json::from_value(wire.clone()).expect("deserializes");
    let config = some(&output.resource_config);
    assert!(matches!(some(&config.auth_resources), AuthResources::Unknown(value) if value.as_str() == "FUTURE_MODE"));
    assert_eq!(some(&config.service), &Service::Cognito);

    let user_pool = some(&config.user_pool_configs);
    assert_eq!(some(&user_pool.sign_in_method).as_str(), "PASSKEY");
    let mfa_types = some(&some(&some(&user_pool.mfa).settings).mfa_types);
    assert_eq!(mfa_types[0], MfaTypesElement::Sms);
    assert!(matches!(&mfa_types[1], MfaTypesElement::Unknown(value) if value.as_str() == "WEBAUTHN"));
    assert_eq!(mfa_types[2], MfaTypesElement::Totp);

    assert_eq!(serde_json::to_value(&output).expect("serializes"), wire);
}

#[test]
fn absent_members_are_omitted() {
    assert_eq!(
        serde_json::to_value(GetBackendAuthOutput::default()).unwrap(),
        json!({})
    );
    assert_eq!(
        serde_json::to_value(GetBackendAuthOutput::builder().build()).unwrap(),
        json!({})
    );

    let partial = GetBackendAuthOutput::builder()
        .app_id("d2x8example4k1")
        .resource_config(
            CreateBackendAuthResourceConfig::builder()
                .auth_resources(AuthResources::UserPoolOnly)
                .service(Service::Cognito)
                .user_pool_configs(
                    CreateBackendAuthUserPoolConfig::builder()
                        .required_sign_up_attributes(vec![])
                        .sign_in_method(SignInMethod::Username)
                        .user_pool_name("pool")
                        .build()
                        .expect("required members are set"),
                )
                .build()
                .expect("required members are set"),
        )
        .build();
    let expected = json!({
        "appId": "d2x8example4k1",
        "resourceConfig": {
            "authResources": "USER_POOL_ONLY",
            "service": "COGNITO",
            "userPoolConfigs": {
                "requiredSignUpAttributes": [],
                "signInMethod": "USERNAME",
                "userPoolName": "pool"
            }
        }
    });
    assert_eq!(serde_json::to_value(&partial).unwrap(), expected);
    assert_eq!(
        serde_json::from_value::<GetBackendAuthOutput>(expected).unwrap(),
        partial
    );
}

#[test]
fn unknown_fields_are_ignored_and_null_is_absent() {
    let mut wire = fixture();
    wire["addedInAFutureVersion"] = json!({ "nested": [1, 2, 3] });
    wire["resourceConfig"]["userPoolConfigs"]["oAuth"]["futureFlag"] = json!(true);
    wire["resourceConfig"]["userPoolConfigs"]["oAuth"]["socialProviderSettings"]["Microsoft"] =
        json!({ "client_id": "ms", "client_secret": "ms-secret" });
    let output: GetBackendAuthOutput = serde_json::from_value(wire).expect("unknown fields are ignored");
    assert_eq!(output, fixture_output());

    let with_nulls = json!({ "appId": "app", "error": null, "resourceConfig": null });
    let output: GetBackendAuthOutput = serde_json::from_value(with_nulls).expect("null members deserialize");
    assert_eq!(output, GetBackendAuthOutput::builder().app_id("app").build());
}

// ---------------------------------------------------------------------------------------------
// 7. #[deprecated]
// ---------------------------------------------------------------------------------------------

/// The deprecated members: (structure, Smithy member, Rust field).
const DEPRECATED_MEMBERS: [(&str, &str, &str); 4] = [
    ("CreateBackendAuthUserPoolConfig", "ForgotPassword", "forgot_password"),
    (
        "CreateBackendAuthForgotPasswordConfig",
        "DeliveryMethod",
        "delivery_method",
    ),
    (
        "CreateBackendAuthForgotPasswordConfig",
        "EmailSettings",
        "email_settings",
    ),
    ("CreateBackendAuthForgotPasswordConfig", "SmsSettings", "sms_settings"),
];

fn generated_source() -> String {
    smithy_codegen::Codegen::new()
        .model(workspace_file("model/amplifybackend.json"))
        .generate()
        .unwrap_or_else(|err| panic!("{err}"))
        .single_file()
        .unwrap_or_else(|err| panic!("{err}"))
}

/// The fields of `pub struct <name>` in formatted source, each with the attribute text that
/// precedes it (doc comments left out).
fn struct_fields(source: &str, name: &str) -> Vec<(String, String)> {
    let header = format!("pub struct {name} {{");
    let mut lines = source.lines().skip_while(|line| line.trim() != header);
    let opening = lines
        .next()
        .unwrap_or_else(|| panic!("`{header}` is not in the generated source"));
    let indent = opening.len() - opening.trim_start().len();

    let mut fields = Vec::new();
    let mut attributes = String::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "}" && line.len() - trimmed.len() == indent {
            return fields;
        }
        if trimmed.starts_with("///") {
            continue;
        }
        match trimmed.strip_prefix("pub ").and_then(|rest| rest.split_once(':')) {
            Some((field, _)) => fields.push((field.to_owned(), std::mem::take(&mut attributes))),
            None => {
                attributes.push_str(trimmed);
                attributes.push('\n');
            }
        }
    }
    panic!("`{header}` is not closed");
}

#[test]
fn deprecated_members_are_deprecated_fields() {
    let model = model();
    let deprecated_in_model: BTreeSet<(&str, &str)> = model["shapes"]
        .as_object()
        .expect("shapes")
        .iter()
        .filter_map(|(id, shape)| Some((local_name(id), shape["members"].as_object()?)))
        .flat_map(|(shape, members)| {
            members
                .iter()
                .map(move |(member, definition)| (shape, member, definition))
        })
        .filter(|(_, _, definition)| definition["traits"].get("smithy.api#deprecated").is_some())
        .map(|(shape, member, _)| (shape, member.as_str()))
        .collect();
    let listed: BTreeSet<(&str, &str)> = DEPRECATED_MEMBERS
        .iter()
        .map(|(shape, member, _)| (*shape, *member))
        .collect();
    assert_eq!(
        listed, deprecated_in_model,
        "DEPRECATED_MEMBERS lists what the model deprecates"
    );

    let source = generated_source();
    for structure in [
        "CreateBackendAuthUserPoolConfig",
        "CreateBackendAuthForgotPasswordConfig",
    ] {
        let fields = struct_fields(&source, structure);
        let members = shape(&model, structure)["members"]
            .as_object()
            .expect("structure members");
        assert_eq!(
            fields.len(),
            members.len(),
            "{structure} has a field per member: {fields:?}"
        );
        for (field, attributes) in fields {
            let deprecation = DEPRECATED_MEMBERS
                .iter()
                .find(|(shape, _, rust_field)| *shape == structure && *rust_field == field)
                .map(|(shape, member, _)| {
                    text(&shape_member(&model, shape, member)["smithy.api#deprecated"]["message"])
                });
            match deprecation {
                Some(note) => {
                    assert!(
                        attributes.contains("#[deprecated"),
                        "{structure}::{field} is not deprecated:\n{attributes}"
                    );
                    assert!(
                        attributes.contains(note),
                        "{structure}::{field} lacks the note `{note}`:\n{attributes}"
                    );
                }
                None => assert!(
                    !attributes.contains("#[deprecated"),
                    "{structure}::{field} is deprecated:\n{attributes}"
                ),
            }
        }
    }
}

/// The traits of a member of a structure of the model.
fn shape_member<'a>(model: &'a Value, shape_name: &str, member: &str) -> &'a Value {
    &shape(model, shape_name)["members"][member]["traits"]
}

#[test]
fn deprecated_members_remain_usable() {
    let forgot_password = CreateBackendAuthForgotPasswordConfig::builder()
        .delivery_method(DeliveryMethod::Sms)
        .sms_settings(SmsSettings::builder().sms_message("code {####}").build())
        .build()
        .expect("delivery_method is set");
    let user_pool = CreateBackendAuthUserPoolConfig::builder()
        .forgot_password(forgot_password.clone())
        .required_sign_up_attributes(vec![RequiredSignUpAttributesElement::PhoneNumber])
        .sign_in_method(SignInMethod::PhoneNumber)
        .user_pool_name("pool")
        .build()
        .expect("required members are set");
    assert_eq!(user_pool.forgot_password, Some(forgot_password));
    assert_eq!(
        serde_json::to_value(&user_pool).unwrap()["forgotPassword"]["deliveryMethod"],
        "SMS"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Operation and service trait
// ---------------------------------------------------------------------------------------------

#[test]
fn operation_stub_carries_the_http_binding() {
    assert_eq!(<GetBackendAuth as Operation>::METHOD, "POST");
    assert_eq!(
        <GetBackendAuth as Operation>::URI,
        "/backend/{AppId}/auth/{BackendEnvironmentName}/details"
    );
    assert_eq!(<GetBackendAuth as Operation>::SUCCESS_CODE, 200);
    assert_eq!(<GetBackendAuth as Operation>::NAME, "GetBackendAuth");
    assert_eq!(
        <GetBackendAuth as Operation>::SHAPE_ID,
        format!("{NAMESPACE}GetBackendAuth")
    );

    let model = model();
    let http = &shape(&model, "GetBackendAuth")["traits"]["smithy.api#http"];
    assert_eq!(http["method"], <GetBackendAuth as Operation>::METHOD);
    assert_eq!(http["uri"], <GetBackendAuth as Operation>::URI);
    assert_eq!(http["code"], <GetBackendAuth as Operation>::SUCCESS_CODE);

    // Every `{Label}` of the URI is an `@httpLabel` member of the input.
    let labels: BTreeSet<&str> = <GetBackendAuth as Operation>::URI
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(label, _)| label))
        .collect();
    let label_members: BTreeSet<&str> = shape(&model, "GetBackendAuthRequest")["members"]
        .as_object()
        .expect("input members")
        .iter()
        .filter(|(_, member)| member["traits"].get("smithy.api#httpLabel").is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(labels, label_members);

    assert_eq!(
        TypeId::of::<<GetBackendAuth as Operation>::Input>(),
        TypeId::of::<GetBackendAuthInput>()
    );
    assert_eq!(
        TypeId::of::<<GetBackendAuth as Operation>::Output>(),
        TypeId::of::<GetBackendAuthOutput>()
    );
    assert_eq!(
        TypeId::of::<<GetBackendAuth as Operation>::Error>(),
        TypeId::of::<GetBackendAuthError>()
    );
}

/// A service that knows one app and echoes the request back for it.
struct InMemoryBackend {
    app_id: &'static str,
}

impl AmplifyBackend for InMemoryBackend {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        let GetBackendAuthInput {
            app_id,
            backend_environment_name,
            resource_name,
            ..
        } = input;
        let (app_id, environment) = (app_id, backend_environment_name);
        let Some(resource) = resource_name else {
            return Err(BadRequestException::builder()
                .message("no resource name")
                .build()
                .into());
        };
        if app_id != self.app_id {
            let message = format!("app `{app_id}` not found");
            return Err(NotFoundException::builder()
                .message(message)
                .resource_type("App")
                .build()
                .into());
        }
        Ok(GetBackendAuthOutput::builder()
            .app_id(app_id)
            .backend_environment_name(environment)
            .resource_name(resource)
            .build())
    }
}

fn request(app_id: &str) -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id(app_id)
        .backend_environment_name("staging")
        .resource_name("photoshareAuth")
        .build()
        .expect("every required member is set")
}

/// Generic code can rely on the futures of any implementation being `Send`.
fn assert_send<T: Send>(value: T) -> T {
    value
}

fn call_from_generic_code<S: AmplifyBackend>(
    service: &S,
    input: GetBackendAuthInput,
) -> impl Future<Output = Result<GetBackendAuthOutput, GetBackendAuthError>> + Send + '_ {
    assert_send(service.get_backend_auth(input))
}

#[test]
fn service_trait_answers_through_an_async_fn() {
    let service = InMemoryBackend {
        app_id: "d2x8example4k1",
    };

    let output = block_on(service.get_backend_auth(request("d2x8example4k1"))).expect("the app exists");
    assert_eq!(output.app_id.as_deref(), Some("d2x8example4k1"));
    assert_eq!(output.backend_environment_name.as_deref(), Some("staging"));
    assert_eq!(output.resource_name.as_deref(), Some("photoshareAuth"));
    assert_eq!((output.error, output.resource_config), (None, None));

    let error = block_on(call_from_generic_code(&service, request("unknown-app"))).expect_err("the app is unknown");
    match &error {
        GetBackendAuthError::NotFoundException(not_found) => {
            assert_eq!(not_found.resource_type.as_deref(), Some("App"));
            assert!(
                not_found
                    .message()
                    .is_some_and(|message| message.contains("unknown-app")),
                "{not_found}"
            );
        }
        other => panic!("expected NotFoundException, got {other:?}"),
    }
    assert_eq!(error.status(), NotFoundException::STATUS);
    assert_eq!(error.code(), Some(NotFoundException::CODE));

    let mut input = GetBackendAuthInput::new("d2x8example4k1", "staging", "photoshareAuth");
    input.resource_name = None;
    let error = block_on(service.get_backend_auth(input)).expect_err("no resource name");
    assert_eq!(error.status(), BadRequestException::STATUS);
}

#[test]
fn service_futures_can_move_to_another_thread() {
    let service = InMemoryBackend {
        app_id: "d2x8example4k1",
    };
    let future = assert_send(service.get_backend_auth(request("d2x8example4k1")));
    let output = std::thread::scope(|scope| scope.spawn(|| block_on(future)).join().expect("no panic"));
    assert_eq!(
        output.expect("the app exists").app_id.as_deref(),
        Some("d2x8example4k1")
    );
}
