$version: "2.0"

namespace com.amazonaws.amplifybackend

use aws.api#service
use aws.auth#sigv4
use aws.protocols#restJson1
use smithy.rules#endpointRuleSet

/// Manages the backend resources (such as auth) of Amplify apps. This model only covers reading auth details.
@title("AmplifyBackend")
@service(
    sdkId: "AmplifyBackend"
    arnNamespace: "amplifybackend"
    endpointPrefix: "amplifybackend"
)
@sigv4(
    name: "amplifybackend"
)
@restJson1
@endpointRuleSet(
    version: "1.0"
    parameters: {
        Region: {
            builtIn: "AWS::Region"
            required: false
            documentation: "The AWS region used to dispatch the request."
            type: "String"
        }
        UseDualStack: {
            builtIn: "AWS::UseDualStack"
            required: true
            default: false
            documentation: "When true, use the dual-stack endpoint. If the configured endpoint does not support dual-stack, dispatching the request MAY return an error."
            type: "Boolean"
        }
        UseFIPS: {
            builtIn: "AWS::UseFIPS"
            required: true
            default: false
            documentation: "When true, send this request to the FIPS-compliant regional endpoint. If the configured endpoint does not have a FIPS compliant endpoint, dispatching the request will return an error."
            type: "Boolean"
        }
        Endpoint: {
            builtIn: "SDK::Endpoint"
            required: false
            documentation: "Override the endpoint used to send this request"
            type: "String"
        }
    }
    rules: [
        {
            conditions: [
                {
                    fn: "isSet"
                    argv: [
                        {
                            ref: "Endpoint"
                        }
                    ]
                }
            ]
            rules: [
                {
                    conditions: [
                        {
                            fn: "booleanEquals"
                            argv: [
                                {
                                    ref: "UseFIPS"
                                }
                                true
                            ]
                        }
                    ]
                    error: "Invalid Configuration: FIPS and custom endpoint are not supported"
                    type: "error"
                }
                {
                    conditions: [
                        {
                            fn: "booleanEquals"
                            argv: [
                                {
                                    ref: "UseDualStack"
                                }
                                true
                            ]
                        }
                    ]
                    error: "Invalid Configuration: Dualstack and custom endpoint are not supported"
                    type: "error"
                }
                {
                    conditions: []
                    endpoint: {
                        url: {
                            ref: "Endpoint"
                        }
                        properties: {}
                        headers: {}
                    }
                    type: "endpoint"
                }
            ]
            type: "tree"
        }
        {
            conditions: [
                {
                    fn: "isSet"
                    argv: [
                        {
                            ref: "Region"
                        }
                    ]
                }
            ]
            rules: [
                {
                    conditions: [
                        {
                            fn: "aws.partition"
                            argv: [
                                {
                                    ref: "Region"
                                }
                            ]
                            assign: "PartitionResult"
                        }
                    ]
                    rules: [
                        {
                            conditions: [
                                {
                                    fn: "booleanEquals"
                                    argv: [
                                        {
                                            ref: "UseFIPS"
                                        }
                                        true
                                    ]
                                }
                                {
                                    fn: "booleanEquals"
                                    argv: [
                                        {
                                            ref: "UseDualStack"
                                        }
                                        true
                                    ]
                                }
                            ]
                            rules: [
                                {
                                    conditions: [
                                        {
                                            fn: "booleanEquals"
                                            argv: [
                                                true
                                                {
                                                    fn: "getAttr"
                                                    argv: [
                                                        {
                                                            ref: "PartitionResult"
                                                        }
                                                        "supportsFIPS"
                                                    ]
                                                }
                                            ]
                                        }
                                        {
                                            fn: "booleanEquals"
                                            argv: [
                                                true
                                                {
                                                    fn: "getAttr"
                                                    argv: [
                                                        {
                                                            ref: "PartitionResult"
                                                        }
                                                        "supportsDualStack"
                                                    ]
                                                }
                                            ]
                                        }
                                    ]
                                    rules: [
                                        {
                                            conditions: []
                                            endpoint: {
                                                url: "https://amplifybackend-fips.{Region}.{PartitionResult#dualStackDnsSuffix}"
                                                properties: {}
                                                headers: {}
                                            }
                                            type: "endpoint"
                                        }
                                    ]
                                    type: "tree"
                                }
                                {
                                    conditions: []
                                    error: "FIPS and DualStack are enabled, but this partition does not support one or both"
                                    type: "error"
                                }
                            ]
                            type: "tree"
                        }
                        {
                            conditions: [
                                {
                                    fn: "booleanEquals"
                                    argv: [
                                        {
                                            ref: "UseFIPS"
                                        }
                                        true
                                    ]
                                }
                            ]
                            rules: [
                                {
                                    conditions: [
                                        {
                                            fn: "booleanEquals"
                                            argv: [
                                                {
                                                    fn: "getAttr"
                                                    argv: [
                                                        {
                                                            ref: "PartitionResult"
                                                        }
                                                        "supportsFIPS"
                                                    ]
                                                }
                                                true
                                            ]
                                        }
                                    ]
                                    rules: [
                                        {
                                            conditions: []
                                            endpoint: {
                                                url: "https://amplifybackend-fips.{Region}.{PartitionResult#dnsSuffix}"
                                                properties: {}
                                                headers: {}
                                            }
                                            type: "endpoint"
                                        }
                                    ]
                                    type: "tree"
                                }
                                {
                                    conditions: []
                                    error: "FIPS is enabled but this partition does not support FIPS"
                                    type: "error"
                                }
                            ]
                            type: "tree"
                        }
                        {
                            conditions: [
                                {
                                    fn: "booleanEquals"
                                    argv: [
                                        {
                                            ref: "UseDualStack"
                                        }
                                        true
                                    ]
                                }
                            ]
                            rules: [
                                {
                                    conditions: [
                                        {
                                            fn: "booleanEquals"
                                            argv: [
                                                true
                                                {
                                                    fn: "getAttr"
                                                    argv: [
                                                        {
                                                            ref: "PartitionResult"
                                                        }
                                                        "supportsDualStack"
                                                    ]
                                                }
                                            ]
                                        }
                                    ]
                                    rules: [
                                        {
                                            conditions: []
                                            endpoint: {
                                                url: "https://amplifybackend.{Region}.{PartitionResult#dualStackDnsSuffix}"
                                                properties: {}
                                                headers: {}
                                            }
                                            type: "endpoint"
                                        }
                                    ]
                                    type: "tree"
                                }
                                {
                                    conditions: []
                                    error: "DualStack is enabled but this partition does not support DualStack"
                                    type: "error"
                                }
                            ]
                            type: "tree"
                        }
                        {
                            conditions: []
                            endpoint: {
                                url: "https://amplifybackend.{Region}.{PartitionResult#dnsSuffix}"
                                properties: {}
                                headers: {}
                            }
                            type: "endpoint"
                        }
                    ]
                    type: "tree"
                }
            ]
            type: "tree"
        }
        {
            conditions: []
            error: "Invalid Configuration: Missing Region"
            type: "error"
        }
    ]
)
service AmplifyBackend {
    version: "2020-08-11"
    operations: [GetBackendAuth]
}

/// Returns the configuration of an auth resource in a backend environment of an Amplify app.
@http(
    method: "POST"
    uri: "/backend/{AppId}/auth/{BackendEnvironmentName}/details"
    code: 200
)
operation GetBackendAuth {
    input: GetBackendAuthRequest
    output: GetBackendAuthResponse
    errors: [BadRequestException, GatewayTimeoutException, NotFoundException, TooManyRequestsException]
}

/// Input of GetBackendAuth: which app, environment and resource to read.
@input
structure GetBackendAuthRequest {
    /// Identifier of the Amplify app; sent in the request path.
    @httpLabel
    @required
    AppId: __string
    /// Backend environment that owns the auth resource; sent in the request path.
    @httpLabel
    @required
    BackendEnvironmentName: __string
    /// Name of the auth resource to look up; sent in the JSON body.
    @clientOptional
    @jsonName("resourceName")
    @required
    ResourceName: __string
}

/// Output of GetBackendAuth: the auth resource and its configuration.
@output
structure GetBackendAuthResponse {
    /// Identifier of the Amplify app the resource belongs to.
    @jsonName("appId")
    AppId: __string
    /// Backend environment the resource belongs to.
    @jsonName("backendEnvironmentName")
    BackendEnvironmentName: __string
    /// Error text, set only when the request did not succeed.
    @jsonName("error")
    Error: __string
    /// Current configuration of the auth resource.
    @jsonName("resourceConfig")
    ResourceConfig: CreateBackendAuthResourceConfig
    /// Name of the auth resource that was read.
    @jsonName("resourceName")
    ResourceName: __string
}

/// Full configuration of an auth resource in an Amplify backend.
structure CreateBackendAuthResourceConfig {
    /// Whether the resource provides authentication only, or authentication plus authorization.
    @clientOptional
    @jsonName("authResources")
    @required
    AuthResources: AuthResources
    /// Settings of the Cognito identity pool used for authorization, if any.
    @jsonName("identityPoolConfigs")
    IdentityPoolConfigs: CreateBackendAuthIdentityPoolConfig
    /// Service that provides the auth resource.
    @clientOptional
    @jsonName("service")
    @required
    Service: Service
    /// Settings of the Cognito user pool used for authentication.
    @clientOptional
    @jsonName("userPoolConfigs")
    @required
    UserPoolConfigs: CreateBackendAuthUserPoolConfig
}

/// Authorization settings backed by a Cognito identity pool.
structure CreateBackendAuthIdentityPoolConfig {
    /// Name of the Cognito identity pool.
    @clientOptional
    @jsonName("identityPoolName")
    @required
    IdentityPoolName: __string
    /// True when guests (unauthenticated users) may access the app.
    @clientOptional
    @jsonName("unauthenticatedLogin")
    @required
    UnauthenticatedLogin: __boolean
}

/// Authentication settings backed by a Cognito user pool.
structure CreateBackendAuthUserPoolConfig {
    /// Password recovery settings of the user pool.
    @deprecated(
        message: "Marked deprecated in the AWS API reference; do not rely on it."
    )
    @jsonName("forgotPassword")
    ForgotPassword: CreateBackendAuthForgotPasswordConfig
    /// Multi-factor authentication settings of the user pool.
    @jsonName("mfa")
    Mfa: CreateBackendAuthMFAConfig
    /// OAuth settings of the user pool.
    @jsonName("oAuth")
    OAuth: CreateBackendAuthOAuthConfig
    /// Rules that user passwords must satisfy.
    @jsonName("passwordPolicy")
    PasswordPolicy: CreateBackendAuthPasswordPolicyConfig
    /// User attributes that must be supplied when signing up.
    @clientOptional
    @jsonName("requiredSignUpAttributes")
    @required
    RequiredSignUpAttributes: ListOfRequiredSignUpAttributesElement
    /// What users type in to identify themselves when signing in.
    @clientOptional
    @jsonName("signInMethod")
    @required
    SignInMethod: SignInMethod
    /// Name of the Cognito user pool.
    @clientOptional
    @jsonName("userPoolName")
    @required
    UserPoolName: __string
    /// How verification codes are sent to users, by email or SMS.
    @jsonName("verificationMessage")
    VerificationMessage: CreateBackendAuthVerificationMessageConfig
}

/// How users who forgot their password are sent a recovery message.
structure CreateBackendAuthForgotPasswordConfig {
    /// Channel (email or SMS) used to send password recovery messages.
    @clientOptional
    @deprecated(
        message: "Part of the deprecated forgot-password config; do not rely on it."
    )
    @jsonName("deliveryMethod")
    @required
    DeliveryMethod: DeliveryMethod
    /// Email used for password recovery.
    @deprecated(
        message: "Part of the deprecated forgot-password config; do not rely on it."
    )
    @jsonName("emailSettings")
    EmailSettings: EmailSettings
    /// SMS used for password recovery.
    @deprecated(
        message: "Part of the deprecated forgot-password config; do not rely on it."
    )
    @jsonName("smsSettings")
    SmsSettings: SmsSettings
}

/// Multi-factor authentication (MFA) settings.
structure CreateBackendAuthMFAConfig {
    /// Whether MFA is enforced, disabled or left to each user.
    @clientOptional
    @required
    MFAMode: MFAMode
    /// Which MFA methods are offered and the SMS text used.
    @jsonName("settings")
    Settings: Settings
}

/// Details of the MFA methods offered to users.
structure Settings {
    /// MFA methods that users may choose from.
    @jsonName("mfaTypes")
    MfaTypes: ListOfMfaTypesElement
    /// Text of the SMS that carries the MFA code.
    @jsonName("smsMessage")
    SmsMessage: __string
}

/// OAuth settings used when users sign in through the hosted UI.
structure CreateBackendAuthOAuthConfig {
    /// Prefix of the hosted sign-in domain of the app.
    @jsonName("domainPrefix")
    DomainPrefix: __string
    /// OAuth grant flow used by the app.
    @clientOptional
    @jsonName("oAuthGrantType")
    @required
    OAuthGrantType: OAuthGrantType
    /// OAuth scopes that the app may request.
    @clientOptional
    @jsonName("oAuthScopes")
    @required
    OAuthScopes: ListOfOAuthScopesElement
    /// URIs the user is sent back to after signing in.
    @clientOptional
    @jsonName("redirectSignInURIs")
    @required
    RedirectSignInURIs: ListOf__string
    /// URIs the user is sent back to after signing out.
    @clientOptional
    @jsonName("redirectSignOutURIs")
    @required
    RedirectSignOutURIs: ListOf__string
    /// Credentials of the social identity providers users can sign in with.
    @jsonName("socialProviderSettings")
    SocialProviderSettings: SocialProviderSettings
}

/// Per-provider settings for social sign-in.
structure SocialProviderSettings {
    /// Sign in with Facebook.
    Facebook: BackendAuthSocialProviderConfig
    /// Sign in with Google.
    Google: BackendAuthSocialProviderConfig
    /// Sign in with an Amazon account.
    LoginWithAmazon: BackendAuthSocialProviderConfig
    /// Sign in with an Apple ID.
    SignInWithApple: BackendAuthAppleProviderConfig
}

/// OAuth client credentials for a social identity provider.
@sensitive
structure BackendAuthSocialProviderConfig {
    /// Client identifier issued to the app by the provider.
    @jsonName("client_id")
    ClientId: __string
    /// Client secret issued to the app by the provider.
    @jsonName("client_secret")
    ClientSecret: __string
}

/// Credentials for Sign in with Apple.
@sensitive
structure BackendAuthAppleProviderConfig {
    /// Services ID registered with Apple.
    @jsonName("client_id")
    ClientId: __string
    /// Identifier of the signing key registered with Apple.
    @jsonName("key_id")
    KeyId: __string
    /// Private signing key obtained from Apple.
    @jsonName("private_key")
    PrivateKey: __string
    /// Apple developer team identifier.
    @jsonName("team_id")
    TeamId: __string
}

/// Rules that user passwords must satisfy.
structure CreateBackendAuthPasswordPolicyConfig {
    /// Character classes every password must contain.
    @jsonName("additionalConstraints")
    AdditionalConstraints: ListOfAdditionalConstraintsElement
    /// Smallest number of characters a password may have.
    @clientOptional
    @jsonName("minimumLength")
    @required
    MinimumLength: __double
}

/// How verification codes are sent to users.
structure CreateBackendAuthVerificationMessageConfig {
    /// Channel (email or SMS) used to send verification codes.
    @clientOptional
    @jsonName("deliveryMethod")
    @required
    DeliveryMethod: DeliveryMethod
    /// Email used for verification.
    @jsonName("emailSettings")
    EmailSettings: EmailSettings
    /// SMS used for verification.
    @jsonName("smsSettings")
    SmsSettings: SmsSettings
}

/// Content of an email sent to a user.
@sensitive
structure EmailSettings {
    /// Body of the email.
    @jsonName("emailMessage")
    EmailMessage: __string
    /// Subject line of the email.
    @jsonName("emailSubject")
    EmailSubject: __string
}

/// Content of an SMS sent to a user.
@sensitive
structure SmsSettings {
    /// Body of the SMS.
    @jsonName("smsMessage")
    SmsMessage: __string
}

/// List of MFA methods.
list ListOfMfaTypesElement {
    /// One MFA method.
    member: MfaTypesElement
}

/// List of OAuth scopes.
list ListOfOAuthScopesElement {
    /// One OAuth scope.
    member: OAuthScopesElement
}

/// List of plain strings.
list ListOf__string {
    /// One string value.
    member: __string
}

/// List of extra password rules.
list ListOfAdditionalConstraintsElement {
    /// One password rule.
    member: AdditionalConstraintsElement
}

/// List of user attributes required at sign-up.
list ListOfRequiredSignUpAttributesElement {
    /// One user attribute.
    member: RequiredSignUpAttributesElement
}

/// Which Cognito pools make up the auth resource.
enum AuthResources {
    /// Authentication only, through a user pool.
    USER_POOL_ONLY = "USER_POOL_ONLY"
    /// Authentication through a user pool plus authorization through an identity pool.
    IDENTITY_POOL_AND_USER_POOL = "IDENTITY_POOL_AND_USER_POOL"
}

/// Service that provides an auth resource.
enum Service {
    /// Amazon Cognito.
    COGNITO = "COGNITO"
}

/// Channel used to send a message to a user.
enum DeliveryMethod {
    /// Send by email.
    EMAIL = "EMAIL"
    /// Send by text message.
    SMS = "SMS"
}

/// Whether multi-factor authentication is used.
enum MFAMode {
    /// Every user must use MFA.
    ON = "ON"
    /// MFA is disabled.
    OFF = "OFF"
    /// Each user decides whether to use MFA.
    OPTIONAL = "OPTIONAL"
}

/// A multi-factor authentication method.
enum MfaTypesElement {
    /// Code sent by text message.
    SMS = "SMS"
    /// Time-based one-time password from an authenticator app.
    TOTP = "TOTP"
}

/// An OAuth grant flow.
enum OAuthGrantType {
    /// Authorization code grant.
    CODE = "CODE"
    /// Implicit grant.
    IMPLICIT = "IMPLICIT"
}

/// An OAuth scope.
enum OAuthScopesElement {
    /// Access to the phone number.
    PHONE = "PHONE"
    /// Access to the email address.
    EMAIL = "EMAIL"
    /// OpenID Connect identity token.
    OPENID = "OPENID"
    /// Access to the user profile attributes.
    PROFILE = "PROFILE"
    /// Access to the Cognito user self-service APIs.
    AWS_COGNITO_SIGNIN_USER_ADMIN = "AWS_COGNITO_SIGNIN_USER_ADMIN"
}

/// An extra rule for passwords.
enum AdditionalConstraintsElement {
    /// At least one digit.
    REQUIRE_DIGIT = "REQUIRE_DIGIT"
    /// At least one lowercase letter.
    REQUIRE_LOWERCASE = "REQUIRE_LOWERCASE"
    /// At least one symbol.
    REQUIRE_SYMBOL = "REQUIRE_SYMBOL"
    /// At least one uppercase letter.
    REQUIRE_UPPERCASE = "REQUIRE_UPPERCASE"
}

/// A user attribute that can be required at sign-up.
enum RequiredSignUpAttributesElement {
    /// Postal address.
    ADDRESS = "ADDRESS"
    /// Date of birth.
    BIRTHDATE = "BIRTHDATE"
    /// Email address.
    EMAIL = "EMAIL"
    /// Last name.
    FAMILY_NAME = "FAMILY_NAME"
    /// Gender.
    GENDER = "GENDER"
    /// First name.
    GIVEN_NAME = "GIVEN_NAME"
    /// Preferred locale.
    LOCALE = "LOCALE"
    /// Middle name.
    MIDDLE_NAME = "MIDDLE_NAME"
    /// Full name.
    NAME = "NAME"
    /// Nickname.
    NICKNAME = "NICKNAME"
    /// Phone number.
    PHONE_NUMBER = "PHONE_NUMBER"
    /// Profile picture.
    PICTURE = "PICTURE"
    /// Preferred user name.
    PREFERRED_USERNAME = "PREFERRED_USERNAME"
    /// Profile page URL.
    PROFILE = "PROFILE"
    /// Time the profile was last updated.
    UPDATED_AT = "UPDATED_AT"
    /// Personal website.
    WEBSITE = "WEBSITE"
    /// Time zone.
    ZONE_INFO = "ZONE_INFO"
}

/// Identifier that users type in to sign in.
enum SignInMethod {
    /// Sign in with an email address.
    EMAIL = "EMAIL"
    /// Sign in with either an email address or a phone number.
    EMAIL_AND_PHONE_NUMBER = "EMAIL_AND_PHONE_NUMBER"
    /// Sign in with a phone number.
    PHONE_NUMBER = "PHONE_NUMBER"
    /// Sign in with a user name.
    USERNAME = "USERNAME"
}

/// A plain string.
string __string

/// A plain boolean.
boolean __boolean

/// A plain double-precision number.
double __double

/// The request was malformed or had invalid values.
@error("client")
@httpError(400)
structure BadRequestException {
    /// Explains what is wrong with the request.
    @jsonName("message")
    Message: __string
}

/// The service did not answer in time.
@error("server")
@httpError(504)
structure GatewayTimeoutException {
    /// Explains the timeout.
    @jsonName("message")
    Message: __string
}

/// The app, environment or resource does not exist.
@error("client")
@httpError(404)
structure NotFoundException {
    /// Explains what could not be found.
    @jsonName("message")
    Message: __string
    /// Kind of the missing resource.
    @jsonName("resourceType")
    ResourceType: __string
}

/// The caller sent too many requests and was throttled.
@error("client")
@httpError(429)
structure TooManyRequestsException {
    /// Which limit was exceeded.
    @jsonName("limitType")
    LimitType: __string
    /// Explains the throttling.
    @jsonName("message")
    Message: __string
}
