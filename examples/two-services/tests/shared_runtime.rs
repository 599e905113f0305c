//! Two generated services share one runtime: the same value types, one transport.

use std::any::TypeId;

#[test]
fn both_crates_name_the_runtimes_types() {
    assert_eq!(
        TypeId::of::<amplifybackend::error::UnhandledError>(),
        TypeId::of::<kv_store::error::UnhandledError>()
    );
    assert_eq!(
        TypeId::of::<amplifybackend::primitives::DateTime>(),
        TypeId::of::<kv_store::primitives::DateTime>()
    );
    assert_eq!(
        TypeId::of::<amplifybackend::client::Config>(),
        TypeId::of::<kv_store::client::Config>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn both_services_answer_through_one_transport() {
    let report = two_services::run().await.expect("both calls succeed");
    assert_eq!(report.app_id.as_deref(), Some("d1abc"));
    assert_eq!(report.value, "hello");
    assert!(report.stored_at.secs() > 1_700_000_000, "{}", report.stored_at);
    assert!(report.one_transport);
}
