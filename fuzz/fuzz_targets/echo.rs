// The fuzz service's implementation, `include!`d by each request target after the service
// generated for its protocol: it answers every call at once.

/// Answers `Get` with an empty body and `Put` with some of what it read.
struct Echo;

impl Fuzz for Echo {
    async fn get(&self, _input: operation::get::GetInput) -> Result<operation::get::GetOutput, operation::get::GetError> {
        Ok(operation::get::GetOutput::builder().build())
    }

    async fn put(&self, input: operation::put::PutInput) -> Result<operation::put::PutOutput, operation::put::PutError> {
        let mut output = operation::put::PutOutput::builder();
        if let Some(count) = input.count {
            output = output.count(count);
        }
        if let Some(items) = input.items {
            output = output.items(items);
        }
        Ok(output.build())
    }
}

/// Answers `request` as the generated server does, and checks the answer is well formed.
fn answer(request: smithy_runtime::http::Request<Vec<u8>>) {
    let response = smithy_codegen_fuzz::ready(server::handle(&Echo, request));
    let status = response.status().as_u16();
    assert!((200..600).contains(&status), "status {status}");
}
