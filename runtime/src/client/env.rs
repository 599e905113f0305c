//! A configuration from the environment, as AWS users expect it: the variables and shared
//! files that the AWS SDKs and CLI read.

use std::sync::Arc;

use super::{Compression, Config, RequestChecksumCalculation, ResponseChecksumValidation, Transport};
use crate::credentials::{
    default_chain_with, load_profiles, region_from_env, CachingProvider, Env, ProfileError, ProfileSet,
};

/// A setting read from a variable, else from the selected profile; empty values count as unset.
fn setting(env: &Env, profiles: &ProfileSet, variable: &str, key: &str) -> Option<String> {
    env.get(variable)
        .filter(|value| !value.is_empty())
        .or_else(|| profiles.get(profiles.selected_profile(), key).map(str::to_owned))
        .filter(|value| !value.is_empty())
}

/// A boolean setting: `true` or `false`, in any case.
fn flag(env: &Env, profiles: &ProfileSet, variable: &str, key: &str) -> Result<Option<bool>, String> {
    match setting(env, profiles, variable, key) {
        None => Ok(None),
        Some(value) if value.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(value) if value.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(value) => Err(format!(
            "{variable} (or `{key}` in the profile) is `{value}`, not `true` or `false`"
        )),
    }
}

impl Config {
    /// A configuration from the environment, as the AWS SDKs read it, with the ready HTTPS
    /// transport:
    ///
    /// - the region: `AWS_REGION`, `AWS_DEFAULT_REGION`, or the profile's `region`; else, on EC2, the
    ///   instance's region from its metadata service (`from_env` only, within a second);
    /// - credentials from the first source that has them, cached and refreshed before they
    ///   expire: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`; the profile
    ///   (`AWS_PROFILE`, default `default`) of `~/.aws/credentials` and `~/.aws/config`
    ///   (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`): its keys, `credential_process`, a
    ///   role assumed from `source_profile` or `credential_source`, a web identity token, IAM
    ///   Identity Center (`sso_session`) or a console sign-in (`login_session`); a web identity
    ///   token (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`); the ECS or EKS Pod Identity
    ///   container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`/`_FULL_URI`); the EC2
    ///   instance metadata service (IMDSv2) (see [`crate::credentials`]);
    /// - the endpoint: `AWS_ENDPOINT_URL_<SERVICE>` (such as `AWS_ENDPOINT_URL_AMPLIFYBACKEND`),
    ///   `AWS_ENDPOINT_URL`, the service's `endpoint_url` in the `[services name]` section the
    ///   profile's `services` names, or the profile's `endpoint_url`, unless
    ///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`;
    /// - `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` (or the profile's
    ///   `use_fips_endpoint`, `use_dualstack_endpoint`), `AWS_ACCOUNT_ID_ENDPOINT_MODE`;
    /// - the S3 and STS settings `AWS_S3_USE_ARN_REGION`, `AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS`
    ///   and `AWS_STS_REGIONAL_ENDPOINTS` (or `s3_use_arn_region`, ...), as the rules' built-ins;
    /// - `AWS_CA_BUNDLE` (or `ca_bundle`): a PEM file of certificates to trust as well;
    /// - `AWS_SDK_UA_APP_ID` (or `sdk_ua_app_id`): the application named in the user agent;
    /// - `AWS_DISABLE_REQUEST_COMPRESSION`, `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` (or
    ///   `disable_request_compression`, `request_min_compression_size_bytes`): the gzip bodies of
    ///   `@requestCompression` operations;
    /// - `AWS_REQUEST_CHECKSUM_CALCULATION`, `AWS_RESPONSE_CHECKSUM_VALIDATION` (or
    ///   `request_checksum_calculation`, `response_checksum_validation`): `when_supported` or
    ///   `when_required`, for the checksums of `httpChecksum` operations.
    ///
    /// Nothing is fetched until a call needs it. A setting that cannot be used (a malformed
    /// shared file, an unreadable CA bundle) makes every call fail with an error that names it.
    #[cfg(feature = "hyper-client")]
    pub async fn from_env() -> Config {
        let env = Env::real();
        let mut config = Self::from_env_in(env.clone());
        if config.region.is_none() {
            // On EC2, the instance's region, when nothing else names one.
            let metadata = super::HyperTransport::builder()
                .connect_timeout(std::time::Duration::from_secs(1))
                .build()
                .unwrap_or_else(|_| super::HyperTransport::new())
                .with_timeout(std::time::Duration::from_secs(1));
            config.region = crate::credentials::ImdsProvider::new(env, Arc::new(metadata))
                .region()
                .await;
        }
        config
    }

    /// `Config::from_env` with these variables and files, for tests and for programs that
    /// keep their settings elsewhere.
    #[cfg(feature = "hyper-client")]
    pub fn from_env_in(env: Env) -> Config {
        let profiles = load_profiles(&env);
        let bundle = profiles
            .as_ref()
            .ok()
            .and_then(|profiles| setting(&env, profiles, "AWS_CA_BUNDLE", "ca_bundle"));
        let mut problem = None;
        let mut builder = super::HyperTransport::builder();
        if let Some(path) = bundle {
            match env.read_file(std::path::Path::new(&path)) {
                Ok(pem) => match builder.clone().root_certificates_pem(pem.as_bytes()) {
                    Ok(with_bundle) => builder = with_bundle,
                    Err(err) => problem = Some(format!("AWS_CA_BUNDLE {path}: {err}")),
                },
                Err(err) => problem = Some(format!("AWS_CA_BUNDLE {path}: {err}")),
            }
        }
        let transport = builder.build().unwrap_or_else(|err| {
            problem.get_or_insert_with(|| err.to_string());
            super::HyperTransport::new()
        });
        let metadata = transport.clone().with_timeout(std::time::Duration::from_secs(2));
        let mut config = Self::from_profiles(env, profiles, Arc::new(transport), Some(Arc::new(metadata)));
        if let Some(problem) = problem {
            config.problem = Some(Arc::from(problem));
        }
        config
    }

    /// A configuration from the environment `env`, as `Config::from_env` reads it, sending
    /// requests with `transport`; `metadata` carries the calls to the ECS and instance
    /// metadata endpoints for credentials (give it a short timeout), or leaves those sources
    /// out.
    pub fn from_env_with(env: Env, transport: Arc<dyn Transport>, metadata: Option<Arc<dyn Transport>>) -> Config {
        let profiles = load_profiles(&env);
        Self::from_profiles(env, profiles, transport, metadata)
    }

    /// [`Config::from_env_with`] with the shared files already read.
    fn from_profiles(
        env: Env,
        profiles: Result<ProfileSet, ProfileError>,
        transport: Arc<dyn Transport>,
        metadata: Option<Arc<dyn Transport>>,
    ) -> Config {
        let mut config = Config::from_transport(transport);
        let profiles = match profiles {
            Ok(profiles) => profiles,
            Err(err) => {
                config.problem = Some(Arc::from(err.to_string()));
                ProfileSet::default()
            }
        };
        let mut problems = Vec::new();
        config.region = region_from_env(&env, &profiles);
        match flag(&env, &profiles, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint") {
            Ok(value) => config.use_fips = value.unwrap_or(false),
            Err(err) => problems.push(err),
        }
        match flag(&env, &profiles, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint") {
            Ok(value) => config.use_dual_stack = value.unwrap_or(false),
            Err(err) => problems.push(err),
        }
        let ignore_endpoints = match flag(
            &env,
            &profiles,
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        ) {
            Ok(value) => value.unwrap_or(false),
            Err(err) => {
                problems.push(err);
                false
            }
        };
        if !ignore_endpoints {
            config.endpoint = setting(&env, &profiles, "AWS_ENDPOINT_URL", "endpoint_url");
            // `services = name` and its `[services name]` section: an endpoint per service
            // (`sts =` then `  endpoint_url = ...`), below the variables, above `endpoint_url`.
            let global_variable = env.get("AWS_ENDPOINT_URL").is_some_and(|url| !url.is_empty());
            let section = profiles
                .get(profiles.selected_profile(), "services")
                .and_then(|name| profiles.services(name.trim()));
            if let (false, Some(section)) = (global_variable, section) {
                let endpoints: Vec<(String, String)> = section
                    .keys()
                    .filter_map(|service| {
                        let url = section.get_sub_property(service, "endpoint_url")?.trim();
                        (!url.is_empty()).then(|| (super::endpoint::service_key(service), url.to_owned()))
                    })
                    .collect();
                config.profile_service_endpoints = Arc::new(endpoints);
            }
            config.env = Some(Arc::new(env.clone()));
        }
        if let Some(mode) = setting(
            &env,
            &profiles,
            "AWS_ACCOUNT_ID_ENDPOINT_MODE",
            "account_id_endpoint_mode",
        ) {
            config
                .builtins
                .push(("AWS::Auth::AccountIdEndpointMode".to_owned(), mode.into()));
        }
        // The S3 and STS built-ins that the SDKs read from the environment.
        for (variable, key, built_in) in [
            ("AWS_S3_USE_ARN_REGION", "s3_use_arn_region", "AWS::S3::UseArnRegion"),
            (
                "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS",
                "s3_disable_multiregion_access_points",
                "AWS::S3::DisableMultiRegionAccessPoints",
            ),
        ] {
            match flag(&env, &profiles, variable, key) {
                Ok(Some(value)) => config.builtins.push((built_in.to_owned(), value.into())),
                Ok(None) => {}
                Err(err) => problems.push(err),
            }
        }
        match setting(&env, &profiles, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints").as_deref() {
            Some("legacy") => config.builtins.push(("AWS::STS::UseGlobalEndpoint".to_owned(), true.into())),
            Some("regional") | None => {}
            Some(other) => problems.push(format!(
                "AWS_STS_REGIONAL_ENDPOINTS (or `sts_regional_endpoints` in the profile) is `{other}`, not `regional` or `legacy`"
            )),
        }
        config.app_name = setting(&env, &profiles, "AWS_SDK_UA_APP_ID", "sdk_ua_app_id");
        match flag(
            &env,
            &profiles,
            "AWS_DISABLE_REQUEST_COMPRESSION",
            "disable_request_compression",
        ) {
            Ok(value) => config.request_settings.compression.disabled = value.unwrap_or(false),
            Err(err) => problems.push(err),
        }
        if let Some(value) = setting(
            &env,
            &profiles,
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "request_min_compression_size_bytes",
        ) {
            match value.trim().parse::<usize>() {
                Ok(bytes) if bytes <= Compression::MAX_MIN_SIZE => config.request_settings.compression.min_size = bytes,
                _ => problems.push(format!(
                    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES (or `request_min_compression_size_bytes` in the profile) is `{value}`, not a whole number of bytes from 0 to {}",
                    Compression::MAX_MIN_SIZE
                )),
            }
        }
        if let Some(value) = setting(
            &env,
            &profiles,
            "AWS_REQUEST_CHECKSUM_CALCULATION",
            "request_checksum_calculation",
        ) {
            match RequestChecksumCalculation::from_setting(&value) {
                Some(calculation) => config.request_settings.checksum_calculation = calculation,
                None => problems.push(format!(
                    "AWS_REQUEST_CHECKSUM_CALCULATION (or `request_checksum_calculation` in the profile) is `{value}`, not `when_supported` or `when_required`"
                )),
            }
        }
        if let Some(value) = setting(
            &env,
            &profiles,
            "AWS_RESPONSE_CHECKSUM_VALIDATION",
            "response_checksum_validation",
        ) {
            match ResponseChecksumValidation::from_setting(&value) {
                Some(validation) => config.response_checksum_validation = validation,
                None => problems.push(format!(
                    "AWS_RESPONSE_CHECKSUM_VALIDATION (or `response_checksum_validation` in the profile) is `{value}`, not `when_supported` or `when_required`"
                )),
            }
        }
        let clock = env.clock();
        let chain = default_chain_with(env, Some(config.transport.clone()), metadata);
        config.credentials = Some(Arc::new(CachingProvider::new(chain).with_clock(clock)));
        if !problems.is_empty() && config.problem.is_none() {
            config.problem = Some(Arc::from(problems.join("; ")));
        }
        config
    }
}
