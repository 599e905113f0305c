$version: "2.0"

namespace example.tasks

use smithy.protocols#rpcv2Cbor

/// A to-do list: tasks with a title, notes, tags, a due date and a priority, open or done. An
/// example service of the rpcv2Cbor protocol: every call is a `POST` of one CBOR document.
@rpcv2Cbor
service TaskList {
    version: "2026-12-01"
    operations: [CreateTask, GetTask, ListTasks, CompleteTask]
}

/// Adds a task to the list, open.
operation CreateTask {
    input :=
        /// The task to add.
        {
            /// What is to be done.
            @required
            title: Title

            /// Anything else worth knowing.
            notes: String

            /// Labels to find the task by.
            tags: Tags

            /// When it should be done by.
            due: Timestamp

            /// How much it matters.
            priority: Priority = "NORMAL"

            /// A file that goes with the task, such as a photo.
            attachment: Blob
        }

    output :=
        /// The task as stored.
        {
            /// The new task, with its id.
            @required
            task: Task
        }
}

/// Reads one task.
@readonly
operation GetTask {
    input :=
        /// Which task.
        {
            /// The task's id.
            @required
            id: TaskId
        }

    output :=
        /// The task.
        {
            /// The task asked for.
            @required
            task: Task
        }

    errors: [TaskNotFound]
}

/// Lists the tasks, oldest first, a page at a time.
@readonly
@paginated(inputToken: "nextToken", outputToken: "nextToken", pageSize: "maxResults", items: "tasks")
operation ListTasks {
    input :=
        /// Which tasks, and which page of them.
        {
            /// Only the tasks that are done (`true`) or open (`false`); all when unset.
            done: Boolean

            /// Where the previous page ended.
            nextToken: String

            /// The most tasks in one page.
            @range(min: 1, max: 100)
            maxResults: Integer
        }

    output :=
        /// A page of tasks.
        {
            /// The tasks of this page.
            @required
            tasks: TaskItems

            /// Where the next page starts, when there is one.
            nextToken: String
        }
}

/// Marks a task done. Doing it again changes nothing.
@idempotent
operation CompleteTask {
    input :=
        /// Which task.
        {
            /// The task's id.
            @required
            id: TaskId
        }

    output :=
        /// The task, done.
        {
            /// The task, now done.
            @required
            task: Task
        }

    errors: [TaskNotFound]
}

/// A task on the list.
structure Task {
    /// The id the list gave it.
    @required
    id: TaskId

    /// What is to be done.
    @required
    title: Title

    /// Anything else worth knowing.
    notes: String

    /// Labels to find it by.
    tags: Tags

    /// When it should be done by.
    due: Timestamp

    /// How much it matters.
    @required
    priority: Priority

    /// When it was added.
    @required
    createdAt: Timestamp

    /// Whether it is done.
    @required
    done: Boolean = false

    /// A file that goes with it.
    attachment: Blob
}

/// No task has the id.
@error("client")
structure TaskNotFound {
    /// What was not found.
    @required
    message: String

    /// The id asked for.
    @required
    id: TaskId
}

/// How much a task matters.
enum Priority {
    LOW
    NORMAL
    HIGH
}

/// A task's title: 1 to 200 characters.
@length(min: 1, max: 200)
string Title

/// A task's id.
@length(min: 1, max: 64)
string TaskId

/// At most 20 tags of 1 to 32 characters each.
@length(max: 20)
list Tags {
    member: Tag
}

@length(min: 1, max: 32)
string Tag

list TaskItems {
    member: Task
}
