//! The to-do list over rpcv2Cbor on loopback: the generated server runs on hyper, the generated
//! client calls it over HTTP, and every call is a CBOR document.

use std::sync::{Arc, Mutex};

use smithy_runtime::client::{Config, HyperTransport, Transport, TransportFuture};
use smithy_runtime::primitives::{Blob, DateTime};
use tasks::operation::complete_task::{CompleteTaskError, CompleteTaskInput, CompleteTaskOutput};
use tasks::operation::create_task::{CreateTaskError, CreateTaskInput, CreateTaskOutput};
use tasks::operation::get_task::{GetTaskError, GetTaskInput, GetTaskOutput};
use tasks::operation::list_tasks::{ListTasksError, ListTasksInput, ListTasksOutput};
use tasks::types::error::TaskNotFound;
use tasks::types::{Priority, Task};
use tasks::TaskList;

/// The tasks, in memory.
#[derive(Default)]
struct Tasks {
    tasks: Mutex<Vec<Task>>,
}

impl Tasks {
    fn find(&self, id: &str) -> Result<Task, TaskNotFound> {
        let tasks = self.tasks.lock().unwrap();
        let task = tasks.iter().find(|task| task.id == id).cloned();
        task.ok_or_else(|| TaskNotFound::new(format!("no task `{id}`"), id))
    }
}

impl TaskList for Tasks {
    async fn create_task(&self, input: CreateTaskInput) -> Result<CreateTaskOutput, CreateTaskError> {
        let mut tasks = self.tasks.lock().unwrap();
        let id = format!("task-{}", tasks.len() + 1);
        // Required members arrive as plain values: `input.title` is a `String`, which the
        // server has checked against `@length` before this runs.
        let mut task = Task::new(
            id,
            input.title,
            input.priority.unwrap_or(Priority::Normal),
            DateTime::from_secs(1_764_000_000),
        );
        task.notes = input.notes;
        task.tags = input.tags;
        task.due = input.due;
        task.attachment = input.attachment;
        tasks.push(task.clone());
        Ok(CreateTaskOutput::new(task))
    }

    async fn get_task(&self, input: GetTaskInput) -> Result<GetTaskOutput, GetTaskError> {
        Ok(GetTaskOutput::new(self.find(&input.id)?))
    }

    async fn list_tasks(&self, input: ListTasksInput) -> Result<ListTasksOutput, ListTasksError> {
        let tasks = self.tasks.lock().unwrap();
        let matching: Vec<&Task> = tasks
            .iter()
            .filter(|task| input.done.is_none_or(|done| task.done == done))
            .collect();
        let start: usize = input
            .next_token
            .as_deref()
            .map_or(0, |token| token.parse().unwrap_or(0));
        let size = input.max_results.unwrap_or(100) as usize;
        let page: Vec<Task> = matching
            .iter()
            .skip(start)
            .take(size)
            .map(|task| (*task).clone())
            .collect();
        let mut output = ListTasksOutput::new(page);
        if start + size < matching.len() {
            output.next_token = Some((start + size).to_string());
        }
        Ok(output)
    }

    async fn complete_task(&self, input: CompleteTaskInput) -> Result<CompleteTaskOutput, CompleteTaskError> {
        let mut tasks = self.tasks.lock().unwrap();
        let Some(task) = tasks.iter_mut().find(|task| task.id == input.id) else {
            return Err(TaskNotFound::new(format!("no task `{}`", input.id), input.id).into());
        };
        task.done = true;
        Ok(CompleteTaskOutput::new(task.clone()))
    }
}

/// The heads of the requests a client sent: path and headers.
type Seen = Arc<Mutex<Vec<(String, http::HeaderMap)>>>;

/// The ready HTTP transport, noting what goes through it.
struct Recording {
    inner: HyperTransport,
    seen: Seen,
}

impl Transport for Recording {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let head = (request.uri().path().to_owned(), request.headers().clone());
        self.seen.lock().unwrap().push(head);
        self.inner.send(request)
    }
}

/// Serves a new list on loopback; a client of it, and what the client sends.
async fn serve() -> (tasks::client::Client, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(smithy_runtime::server::serve(
        listener,
        tasks::server::Server::new(Tasks::default()),
    ));
    let seen = Seen::default();
    let transport = Recording {
        inner: HyperTransport::new(),
        seen: seen.clone(),
    };
    let config = Config::new(transport, format!("http://{address}"));
    (tasks::client::Client::from_config(config), seen)
}

#[tokio::test]
async fn a_task_goes_round_trip_in_cbor() {
    let (client, seen) = serve().await;
    let due = DateTime::from_secs_f64(1_767_225_600.25).unwrap();
    let input = CreateTaskInput::builder()
        .title("water the plants")
        .notes("the fern too")
        .tags(vec!["home".to_owned(), "weekly".to_owned()])
        .due(due)
        .priority(Priority::High)
        .attachment(Blob::new(vec![0, 1, 2, 255]))
        .build()
        .unwrap();
    let created = client.create_task(input).await.unwrap().task;
    assert_eq!(created.id, "task-1");
    assert_eq!(created.priority, Priority::High);
    assert!(!created.done);

    let read = client.get_task(GetTaskInput::new("task-1")).await.unwrap().task;
    assert_eq!(read, created);
    assert_eq!(read.due, Some(due), "timestamps keep their milliseconds");
    assert_eq!(read.attachment, Some(Blob::new(vec![0, 1, 2, 255])));
    assert_eq!(
        read.tags.as_deref(),
        Some(&["home".to_owned(), "weekly".to_owned()][..])
    );

    let done = client
        .complete_task(CompleteTaskInput::new("task-1"))
        .await
        .unwrap()
        .task;
    assert!(done.done);

    let seen = seen.lock().unwrap();
    let paths: Vec<&str> = seen.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/service/TaskList/operation/CreateTask",
            "/service/TaskList/operation/GetTask",
            "/service/TaskList/operation/CompleteTask",
        ]
    );
    for (_, headers) in seen.iter() {
        assert_eq!(headers["smithy-protocol"], "rpc-v2-cbor");
        assert_eq!(headers["content-type"], "application/cbor");
        assert_eq!(headers["accept"], "application/cbor");
    }
}

#[tokio::test]
async fn a_paginator_walks_every_page() {
    let (client, _) = serve().await;
    for n in 0..5 {
        let input = CreateTaskInput::new(format!("task {n}"));
        client.create_task(input).await.unwrap();
    }
    let input = ListTasksInput::builder().max_results(2).build();
    let pages = client.list_tasks_paginator(input.clone()).collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    let titles: Vec<String> = client
        .list_tasks_paginator(input)
        .items()
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|task| task.title)
        .collect();
    assert_eq!(titles, ["task 0", "task 1", "task 2", "task 3", "task 4"]);
}

#[tokio::test]
async fn a_modelled_error_comes_back_with_its_members() {
    let (client, _) = serve().await;
    let error = client.get_task(GetTaskInput::new("nope")).await.unwrap_err();
    let GetTaskError::TaskNotFound(not_found) = &error else {
        panic!("expected TaskNotFound, got {error:?}");
    };
    assert_eq!(not_found.id, "nope");
    assert_eq!(not_found.message, "no task `nope`");
    assert_eq!(error.status(), 400);
}

#[tokio::test]
async fn the_server_enforces_the_model_and_refuses_what_is_not_cbor() {
    let (client, _) = serve().await;
    // `Title` is `@length(min: 1, max: 200)`; the client leaves that to the service.
    let error = client
        .create_task(CreateTaskInput::new("x".repeat(201)))
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (400, Some("ValidationException")),
        "{error:?}"
    );
    assert!(error.message().unwrap_or_default().contains("/title"), "{error:?}");

    let store = Tasks::default();
    let request = |body: &[u8]| {
        http::Request::builder()
            .method("POST")
            .uri("/service/TaskList/operation/CreateTask")
            .header("smithy-protocol", "rpc-v2-cbor")
            .header("content-type", "application/cbor")
            .body(body.to_vec())
            .unwrap()
    };
    // JSON, a CBOR array, a map cut short, a length past the end of the body.
    for body in [
        &b"{\"title\":\"x\"}"[..],
        &[0x81, 0x01],
        &[0xa1, 0x65],
        &[0xbf, 0x7a, 0xff, 0xff, 0xff, 0xff],
    ] {
        let response = tasks::server::handle(&store, request(body)).await;
        assert_eq!(response.status(), 400, "{body:02x?}");
        assert_eq!(response.headers()["smithy-protocol"], "rpc-v2-cbor");
        // The error is named in the CBOR body alone.
        assert!(!response.headers().contains_key("x-amzn-errortype"));
        assert_eq!(response.headers()["content-type"], "application/cbor");
    }
    // Another protocol's request is not this service's.
    let mut json = request(b"{}");
    json.headers_mut()
        .insert("smithy-protocol", http::HeaderValue::from_static("rpc-v2-json"));
    assert_eq!(tasks::server::handle(&store, json).await.status(), 404);
}
