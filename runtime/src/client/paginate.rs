//! Paginators: the pages of a `@paginated` operation, and their items, as `Stream`s.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::{call, Config};
use crate::operation::{Paginated, PaginatedItems};
use crate::server::BoxFuture;

/// The pages of a `@paginated` operation `O`, fetched one call at a time as the stream is
/// polled: each call sends the token the previous page ended with. The stream ends after the
/// page with no next token (or an empty one), after a page whose next token is the one its
/// request sent (the service would answer the same page again), and after an error, which it
/// yields.
///
/// ```no_run
/// # async fn list<O: smithy_runtime::operation::PaginatedItems>(config: &smithy_runtime::client::Config, input: O::Input) {
/// let mut items = smithy_runtime::client::Paginator::<O>::new(config, input).page_size(50).items();
/// while let Some(item) = items.next().await {
///     let item = item.expect("a page");
/// }
/// # }
/// ```
pub struct Paginator<O: Paginated> {
    config: Config,
    input: O::Input,
    /// The token the page being fetched was asked for with.
    sent: Option<String>,
    state: State<O>,
}

enum State<O: Paginated> {
    /// The next page is to be fetched.
    Ready,
    Fetching(BoxFuture<'static, Result<O::Output, O::Error>>),
    Done,
}

impl<O: Paginated> Paginator<O> {
    /// The pages of `O` from `input` (with the token of its first page, if it has one), called
    /// with `config`.
    pub fn new(config: &Config, input: O::Input) -> Self {
        Self {
            config: config.clone(),
            input,
            sent: None,
            state: State::Ready,
        }
    }

    /// Asks for pages of at most `size` items, for an operation with a page size (others
    /// ignore it).
    pub fn page_size(mut self, size: i32) -> Self {
        O::set_page_size(&mut self.input, size);
        self
    }

    /// The next page, or `None` after the last.
    pub async fn next(&mut self) -> Option<Result<O::Output, O::Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every page, or the first error.
    pub async fn collect(mut self) -> Result<Vec<O::Output>, O::Error> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }

    /// The items of the pages, one at a time.
    pub fn items(self) -> Items<O>
    where
        O: PaginatedItems,
    {
        Items {
            pages: self,
            buffered: Vec::new().into_iter(),
        }
    }
}

impl<O: Paginated> Stream for Paginator<O> {
    type Item = Result<O::Output, O::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Ready => {
                    let config = this.config.clone();
                    let input = this.input.clone();
                    this.state = State::Fetching(Box::pin(async move { call::<O>(&config, input).await }));
                }
                State::Fetching(future) => {
                    let result = match future.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(result) => result,
                    };
                    this.state = State::Done;
                    if let Ok(output) = &result {
                        let next = O::next_token(output).filter(|token| !token.is_empty());
                        if let Some(token) = next.filter(|token| this.sent.as_deref() != Some(*token)) {
                            let token = token.to_owned();
                            O::set_token(&mut this.input, Some(token.clone()));
                            this.sent = Some(token);
                            this.state = State::Ready;
                        }
                    }
                    return Poll::Ready(Some(result));
                }
            }
        }
    }
}

/// The items of a paginator's pages, in order: each page's items once it is fetched. Ends
/// when the pages end, after yielding an error of theirs.
pub struct Items<O: PaginatedItems> {
    pages: Paginator<O>,
    buffered: std::vec::IntoIter<O::Item>,
}

// Nothing of an `Items` is pinned in place: the pages' future is boxed, and items are moved out.
impl<O: PaginatedItems> Unpin for Items<O> {}

impl<O: PaginatedItems> Items<O> {
    /// The next item, or `None` after the last.
    pub async fn next(&mut self) -> Option<Result<O::Item, O::Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item, or the first error.
    pub async fn collect(mut self) -> Result<Vec<O::Item>, O::Error> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        Ok(items)
    }
}

impl<O: PaginatedItems> Stream for Items<O> {
    type Item = Result<O::Item, O::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(page))) => this.buffered = O::items(page).into_iter(),
            }
        }
    }
}
