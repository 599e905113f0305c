//! The protocol seam: the service's protocol trait decides, here and nowhere else, what the
//! generated crate says about the wire.
//!
//! The wire code itself is `smithy-runtime`'s: one HTTP-binding layer and one JSON codec, which
//! read the schemas. What a protocol decides at generation time is small, and lives in one
//! module per protocol family: [`http_binding`] (the `@http` data and routing order of the
//! protocols with HTTP bindings, restJson1 and restXml), [`rest_json1`] and [`aws_json`]. On top, the same client and
//! server glue for every protocol the runtime speaks.

mod aws_json;
mod http_binding;
mod rest_json1;

use crate::tokens::quote;
use crate::tokens::{Literal, Tokens};

use super::{Context, Output};
use crate::ident::ident;
use crate::model::{Member, ProtocolTrait, Shape};
use crate::symbols::{ModulePath, Rt};

/// The service's wire protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Protocol {
    RestJson1,
    /// restXml; S3's errors are not wrapped in `<ErrorResponse>`, and S3's endpoint rules put
    /// the bucket in the endpoint (see [`Protocol::bucket_in_endpoint`]).
    RestXml {
        no_error_wrapping: bool,
        bucket_in_endpoint: bool,
    },
    /// awsJson1_0 or awsJson1_1, with the service's name for `X-Amz-Target`.
    AwsJson {
        version: aws_json::Version,
        service: String,
    },
    /// awsQuery or ec2Query (`ec2`): form-encoded requests to `/`, XML responses.
    Query {
        ec2: bool,
    },
    /// rpcv2Json or rpcv2Cbor (`cbor`): `POST /service/{Service}/operation/{Operation}` with the
    /// whole input as one document.
    RpcV2 {
        cbor: bool,
        service: String,
    },
    /// A protocol the runtime does not speak yet: the crate gets its types and service trait,
    /// and no client or server.
    Other(String),
}

impl Protocol {
    /// The protocol of a service: the first of its protocol traits the runtime speaks, else the
    /// first it has.
    pub(crate) fn of(service: &Shape) -> Self {
        let mut traits = service.traits.protocols();
        // A service that speaks several protocols is called in the one AWS SDKs prefer.
        traits.sort_by_key(ProtocolTrait::preference);
        let protocol = traits.first().map(|protocol| match protocol {
            ProtocolTrait::RestJson1 => Protocol::RestJson1,
            ProtocolTrait::RestXml { no_error_wrapping } => Protocol::RestXml {
                no_error_wrapping: *no_error_wrapping,
                bucket_in_endpoint: service.traits.sdk_id() == Some("S3") && service.traits.endpoint_rules().is_some(),
            },
            ProtocolTrait::AwsJson1_0 => Protocol::AwsJson {
                version: aws_json::Version::V1_0,
                service: service.id.name().to_owned(),
            },
            ProtocolTrait::AwsJson1_1 => Protocol::AwsJson {
                version: aws_json::Version::V1_1,
                service: service.id.name().to_owned(),
            },
            ProtocolTrait::AwsQuery => Protocol::Query { ec2: false },
            ProtocolTrait::Ec2Query => Protocol::Query { ec2: true },
            ProtocolTrait::RpcV2Json => Protocol::RpcV2 {
                cbor: false,
                service: service.id.name().to_owned(),
            },
            ProtocolTrait::RpcV2Cbor => Protocol::RpcV2 {
                cbor: true,
                service: service.id.name().to_owned(),
            },
        });
        protocol.unwrap_or_else(|| Protocol::Other("none".to_owned()))
    }

    /// Whether the crate gets a client and a server.
    pub(crate) fn has_wire_code(&self) -> bool {
        !matches!(self, Protocol::Other(_))
    }

    /// S3's: whether the endpoint rules place the bucket (in the host, or at the start of the
    /// path for path-style addressing), so that a client leaves the `/{Bucket}` that starts an
    /// `@http` URI out of the request's path, as the AWS SDKs do.
    fn bucket_in_endpoint(&self) -> bool {
        matches!(
            self,
            Protocol::RestXml {
                bucket_in_endpoint: true,
                ..
            }
        )
    }

    /// Whether members go where their HTTP binding traits say.
    fn http_bindings(&self) -> bool {
        match self {
            Protocol::RestJson1 | Protocol::RestXml { .. } => true,
            Protocol::AwsJson { .. } | Protocol::Query { .. } | Protocol::RpcV2 { .. } => false,
            Protocol::Other(_) => false,
        }
    }

    /// The runtime's value for the protocol.
    pub(crate) fn runtime_value(&self) -> Tokens {
        match self {
            Protocol::RestJson1 => rest_json1::runtime_value(),
            Protocol::RestXml { no_error_wrapping, .. } => quote!(Protocol::RestXml {
                no_error_wrapping: #no_error_wrapping
            }),
            Protocol::AwsJson { version, .. } => version.runtime_value(),
            Protocol::Query { ec2: false } => quote!(Protocol::AwsQuery),
            Protocol::Query { ec2: true } => quote!(Protocol::Ec2Query),
            Protocol::RpcV2 { cbor: false, .. } => quote!(Protocol::RpcV2Json),
            Protocol::RpcV2 { cbor: true, .. } => quote!(Protocol::RpcV2Cbor),
            Protocol::Other(id) => quote!(Protocol::Other(#id)),
        }
    }

    /// The runtime's code for the protocol, which the service's schema names
    /// (`smithy_runtime::protocol::REST_JSON1` and the like).
    pub(crate) fn runtime_code(&self) -> Tokens {
        let name = match self {
            Protocol::RestJson1 => "REST_JSON1",
            Protocol::RestXml {
                no_error_wrapping: false,
                ..
            } => "REST_XML",
            Protocol::RestXml {
                no_error_wrapping: true,
                ..
            } => "REST_XML_UNWRAPPED",
            Protocol::AwsJson { version, .. } => version.runtime_code(),
            Protocol::Query { ec2: false } => "AWS_QUERY",
            Protocol::Query { ec2: true } => "EC2_QUERY",
            Protocol::RpcV2 { cbor: false, .. } => "RPC_V2_JSON",
            Protocol::RpcV2 { cbor: true, .. } => "RPC_V2_CBOR",
            Protocol::Other(_) => "UNSPOKEN",
        };
        let module = Rt::ProtocolModule.path();
        let name = ident(name);
        quote!(#module::#name)
    }

    /// What a member's documentation says of where it goes on the wire.
    pub(crate) fn member_doc(&self, member: &Member) -> Option<String> {
        if self.http_bindings() {
            http_binding::member_doc(member)
        } else {
            None
        }
    }

    /// What an operation's documentation says of its requests and responses.
    pub(crate) fn operation_doc(&self, operation: &Shape) -> Option<String> {
        match self {
            Protocol::AwsJson { service, .. } => Some(aws_json::operation_doc(service, operation)),
            Protocol::Query { .. } => Some(format!(
                "`POST /` with the form-encoded input, `Action={}`; the output comes back as XML.",
                operation.id.name()
            )),
            Protocol::RpcV2 { cbor, service } => Some(format!(
                "`POST /service/{service}/operation/{}` with the input as one {} document \
                 (`Smithy-Protocol: {}`).",
                operation.id.name(),
                if *cbor { "CBOR" } else { "JSON" },
                if *cbor { "rpc-v2-cbor" } else { "rpc-v2-json" },
            )),
            _ if self.http_bindings() || operation.traits.http().is_some() => {
                Some(http_binding::operation_doc(operation))
            }
            _ => None,
        }
    }

    /// The `http` field of an operation's schema: its `@http` trait for the protocols that read
    /// it (and for those the runtime does not speak, when it has one), none for awsJson.
    pub(crate) fn http_schema(&self, operation: &Shape) -> Tokens {
        match self {
            Protocol::AwsJson { .. } | Protocol::Query { .. } | Protocol::RpcV2 { .. } => quote!(None),
            Protocol::Other(_) if !self.http_bindings() && operation.traits.http().is_none() => quote!(None),
            _ => http_binding::http_schema(operation, self.bucket_in_endpoint()),
        }
    }

    /// The operations' indexes in the order a server tries them.
    pub(crate) fn routes(&self, cx: &Context<'_>) -> Vec<usize> {
        if self.http_bindings() {
            http_binding::routes(cx)
        } else {
            Vec::new()
        }
    }
}

/// The client: a `Client` over the runtime's configuration, implementing the service trait.
pub(super) fn render_client(cx: &Context<'_>, out: &mut Output) {
    let client = ModulePath::new(&["client"]);
    let service = cx.symbols.service();
    let service_path = service.path_from(&client);
    let config = Rt::ClientConfig.path();
    let transport = Rt::Transport.path();
    let call = Rt::Call.path();
    let exports = Rt::ClientExports.path();
    let methods = cx.index.operations().map(|(shape, _)| {
        let symbol = cx.symbols.operation(&shape.id);
        let marker = symbol.marker.path_from(&client);
        let input = symbol.input.path_from(&client);
        let output = symbol.output.path_from(&client);
        let error = symbol.error.path_from(&client);
        let method = ident(&symbol.method);
        // Inline: the call's code is generated where a program calls the operation, for the
        // operations it calls, not in this crate for every one.
        quote! {
            #[inline]
            fn #method(&self, input: #input) -> impl std::future::Future<Output = Result<#output, #error>> + Send {
                #call::<#marker>(&self.config, input)
            }
        }
    });
    let paginator = Rt::Paginator.path();
    let waiters = waiter_methods(cx, &client);
    let mut taken: std::collections::HashSet<String> = cx
        .index
        .operations()
        .map(|(shape, _)| cx.symbols.operation(&shape.id).method.clone())
        .collect();
    let paginators: Vec<Tokens> = cx
        .index
        .operations()
        .filter(|(shape, operation)| super::operations::has_paginator(cx, shape, operation))
        .map(|(shape, _)| {
            let symbol = cx.symbols.operation(&shape.id);
            let marker = symbol.marker.path_from(&client);
            let input = symbol.input.path_from(&client);
            let mut name = format!("{}_paginator", symbol.method);
            while !taken.insert(name.clone()) {
                name.push('_');
            }
            let method = ident(&name);
            let doc = format!(
                " The pages of `{}` calls from `input`, each call sending the token the page before it ended with;\n `.items()` gives the pages' items, `.page_size(n)` sets the page size where the operation has one.",
                shape.id.name()
            );
            let doc = doc.lines().map(str::to_owned).collect::<Vec<_>>();
            quote! {
                #(#[doc = #doc])*
                #[inline]
                pub fn #method(&self, input: #input) -> #paginator<#marker> {
                    #paginator::new(&self.config, input)
                }
            }
        })
        .collect();
    let service_name = cx.index.service().0.id.name();
    let doc = format!(
        " A client of the `{service_name}` service: it sends each call to the endpoint its configuration resolves,\n signed with its credentials, and implements the service trait, one method per operation."
    );
    let doc = doc.lines().map(str::to_owned);
    out.module(&client).doc = Some(format!(
        "The client: [`Client`](crate::client::Client) calls the service, configured with a [`Config`](crate::client::Config). \
         The other items are what a caller names to configure it and call it (`{}`, re-exported); \
         the rest of the runtime's client is `{}`.",
        Rt::ClientExports.doc_path(),
        Rt::ClientModule.doc_path()
    ));
    out.add(&client, "", quote!(pub use #exports::*;));
    out.add(
        &client,
        "Client",
        quote! {
            #(#[doc = #doc])*
            #[derive(Debug, Clone)]
            pub struct Client {
                config: #config,
            }

            impl Client {
                /// A client with `config`: the region, credentials, endpoint settings and
                /// transport that every client of a program may share (build it with
                /// `Config::from_env`, as AWS users expect, or with `Config::new`). The user
                /// agent of its requests names this crate.
                #[inline]
                pub fn new(config: &#config) -> Self {
                    Self { config: config.for_client(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"))) }
                }

                /// A client that sends requests with `transport` to `endpoint`, such as
                /// `https://service.example.com` or `http://127.0.0.1:8080/prefix`, unsigned.
                #[inline]
                pub fn with_endpoint(transport: impl #transport, endpoint: impl Into<String>) -> Self {
                    Self::new(&#config::new(transport, endpoint))
                }

                /// A client with this configuration.
                #[inline]
                pub fn from_config(config: #config) -> Self {
                    Self::new(&config)
                }

                /// The client's configuration.
                #[inline]
                pub fn config(&self) -> &#config {
                    &self.config
                }

                #(#paginators)*

                #(#waiters)*
            }

            impl #service_path for Client {
                #(#methods)*
            }
        },
    );
}

/// A `wait_until_<name>` method per waiter of each operation (`smithy.waiters#waitable`), in
/// name order.
fn waiter_methods(cx: &Context<'_>, client: &ModulePath) -> Vec<Tokens> {
    let wait = Rt::Waiter.path();
    let mut methods = Vec::new();
    for (shape, _) in cx.index.operations() {
        let Some(waiters) = shape
            .traits
            .get("smithy.waiters#waitable")
            .and_then(|value| value.as_object())
        else {
            continue;
        };
        let symbol = cx.symbols.operation(&shape.id);
        let marker = symbol.marker.path_from(client);
        let input = symbol.input.path_from(client);
        let output = symbol.output.path_from(client);
        let error = symbol.error.path_from(client);
        let mut names: Vec<&String> = waiters.keys().collect();
        names.sort();
        for name in names {
            // One that does not read is left out (with a warning, from `waiter_reads`).
            let Some(schema) = waiter_schema(&wait, name, &waiters[name.as_str()]) else {
                continue;
            };
            let method = ident(&format!("wait_until_{}", crate::ident::snake_case(name)));
            let mut doc = vec![
                format!(
                    " Calls `{}` until the waiter `{name}` succeeds, fails, or `max_wait` passes: on success, the",
                    shape.id.name()
                ),
                " result of the last call (its output, or the error a waiter of a resource's absence waits for)."
                    .to_owned(),
            ];
            if let Some(text) = waiters[name.as_str()]
                .get("documentation")
                .and_then(|value| value.as_str())
            {
                doc.push(String::new());
                doc.extend(text.lines().map(|line| format!(" {line}")));
            }
            methods.push(quote! {
                #(#[doc = #doc])*
                pub async fn #method(&self, input: #input, max_wait: std::time::Duration) -> Result<Result<#output, #error>, #wait::WaiterError<#error>> {
                    static WAITER: #wait::WaiterSchema = #schema;
                    #wait::wait::<#marker>(&self.config, input, &WAITER, max_wait).await
                }
            });
        }
    }
    methods
}

/// Whether the generator reads a waiter's value (`smithy.waiters#waitable`).
pub(crate) fn waiter_reads(name: &str, value: &serde_json::Value) -> bool {
    waiter_schema(&Tokens::new(), name, value).is_some()
}

/// A waiter's schema, from its value in `smithy.waiters#waitable`.
fn waiter_schema(wait: &Tokens, name: &str, value: &serde_json::Value) -> Option<Tokens> {
    let min_delay = value.get("minDelay").map_or(Some(2), |delay| delay.as_u64())?;
    let max_delay = value.get("maxDelay").map_or(Some(120), |delay| delay.as_u64())?;
    let mut acceptors = Vec::new();
    for acceptor in value.get("acceptors")?.as_array()? {
        let state = match acceptor.get("state")?.as_str()? {
            "success" => quote!(#wait::AcceptorState::Success),
            "failure" => quote!(#wait::AcceptorState::Failure),
            "retry" => quote!(#wait::AcceptorState::Retry),
            _ => return None,
        };
        let matcher = acceptor.get("matcher")?.as_object()?;
        let path_matcher = |value: &serde_json::Value| -> Option<Tokens> {
            let path = value.get("path")?.as_str()?;
            // A path the runtime cannot search with would never match.
            smithy_runtime::jmespath::Expression::parse(path).ok()?;
            let expected = value.get("expected")?.as_str()?;
            let comparator = match value.get("comparator")?.as_str()? {
                "stringEquals" => quote!(#wait::Comparator::StringEquals),
                "booleanEquals" => quote!(#wait::Comparator::BooleanEquals),
                "allStringEquals" => quote!(#wait::Comparator::AllStringEquals),
                "anyStringEquals" => quote!(#wait::Comparator::AnyStringEquals),
                _ => return None,
            };
            Some(quote!(#wait::PathMatcher { path: #path, expected: #expected, comparator: #comparator }))
        };
        let matcher = if let Some(output) = matcher.get("output") {
            let path = path_matcher(output)?;
            quote!(#wait::Matcher::Output(#path))
        } else if let Some(input_output) = matcher.get("inputOutput") {
            let path = path_matcher(input_output)?;
            quote!(#wait::Matcher::InputOutput(#path))
        } else if let Some(success) = matcher.get("success") {
            let success = success.as_bool()?;
            quote!(#wait::Matcher::Success(#success))
        } else if let Some(error) = matcher.get("errorType") {
            let error = error.as_str()?;
            quote!(#wait::Matcher::ErrorType(#error))
        } else {
            return None;
        };
        acceptors.push(quote!(#wait::Acceptor { state: #state, matcher: #matcher }));
    }
    Some(quote! {
        #wait::WaiterSchema {
            name: #name,
            min_delay: #min_delay,
            max_delay: #max_delay,
            acceptors: &[#(#acceptors),*],
        }
    })
}

/// The server: `handle`, which routes a request to the service implementation, and `Server`,
/// which a ready server runs.
pub(super) fn render_server(cx: &Context<'_>, out: &mut Output) {
    let server = ModulePath::new(&["server"]);
    let service = cx.symbols.service();
    let service_path = service.path_from(&server);
    let schema = cx.symbols.service_schema();
    let route = Rt::Route.path();
    let serve_operation = Rt::ServeOperation.path();
    let handler = Rt::Handler.path();
    let box_future = Rt::BoxFuture.path();
    let rejection = Rt::Rejection.path();
    let refuse = Rt::Refuse.path();
    let module = Rt::ServerModule.path();
    let http = Rt::HttpCrate.path();
    let arms = cx.index.operations().enumerate().map(|(index, (shape, _))| {
        let symbol = cx.symbols.operation(&shape.id);
        let marker = symbol.marker.path_from(&server);
        let method = ident(&symbol.method);
        let index = Literal::usize_unsuffixed(index);
        quote! {
            #index => #serve_operation::<#marker, _, _>(request, move |input| service.#method(input)),
        }
    });
    // A service with an operation whose input streams tells the server which requests to hand
    // on unread.
    let streams_input = cx.index.operations().any(|(_, operation)| {
        cx.index
            .shape(&operation.input)
            .kind
            .members()
            .iter()
            .any(|member| member.traits.is_streaming() || cx.index.shape(&member.target).traits.is_streaming())
    });
    let streams = streams_input.then(|| {
        let streams_request = Rt::StreamsRequest.path();
        quote! {
            fn streams(&self, request: &#http::request::Parts) -> bool {
                #streams_request(&#schema, request)
            }
        }
    });
    let service_name = service.name.as_str();
    let service_link = format!("{}::{service_name}", service.module);
    let handle_doc = format!(
        " Answers a request: finds the operation it names, reads the input, calls the\n [`{service_name}`]({service_link}) implementation and writes its result. Requests that\n name no operation, cannot be read or break the model's constraints are refused with the\n protocol's error response; nothing here panics on a request."
    );
    let handle_doc = handle_doc.lines().map(str::to_owned);
    let server_doc = format!(
        " A [`{service_name}`]({service_link}) implementation as a [`Handler`], which a ready server\n (such as `serve`, with smithy-runtime's `hyper-server` feature) runs."
    );
    let server_doc = server_doc.lines().map(str::to_owned);
    out.module(&server).doc = Some(format!(
        "The server: [`handle`](crate::server::handle) answers a request with the service implementation. The rest is `{}`, re-exported.",
        Rt::ServerModule.doc_path()
    ));
    out.add(&server, "", quote!(pub use #module::*;));
    out.add(
        &server,
        "handle",
        quote! {
            #(#[doc = #handle_doc])*
            pub fn handle<S: #service_path + Sync>(service: &S, request: #http::Request<Vec<u8>>) -> #box_future<'_, #http::Response<Vec<u8>>> {
                let operation = match #route(&#schema, &request) {
                    Ok(operation) => operation,
                    Err(rejection) => return #refuse(&#schema, rejection),
                };
                let _ = &service;
                match operation {
                    #(#arms)*
                    _ => #refuse(&#schema, #rejection::unknown_operation()),
                }
            }

            #(#[doc = #server_doc])*
            pub struct Server<S> {
                service: std::sync::Arc<S>,
            }

            impl<S> Server<S> {
                /// Serves `service`.
                #[inline]
                pub fn new(service: S) -> Self {
                    Self::from_arc(std::sync::Arc::new(service))
                }

                /// Serves a `service` that other code holds too.
                #[inline]
                pub fn from_arc(service: std::sync::Arc<S>) -> Self {
                    Self { service }
                }
            }

            impl<S> Clone for Server<S> {
                #[inline]
                fn clone(&self) -> Self {
                    Self { service: self.service.clone() }
                }
            }

            impl<S: #service_path + Send + Sync + 'static> #handler for Server<S> {
                fn handle(&self, request: #http::Request<Vec<u8>>) -> #box_future<'_, #http::Response<Vec<u8>>> {
                    handle(&*self.service, request)
                }
                #streams
            }
        },
    );
}
