//! The v3 categories: several per order, each with its own id.
//!
//! Use v2 ([`crate::OrderHandle::put_category`]) when an order has one
//! link that you replace as the order moves on (order confirmation, then
//! receipt). Use v3 when an order needs several links at once (a ticket and
//! a receipt), or when you need to delete a link.

use crate::client::Client;
use crate::error::Error;
use crate::model::{CategoryCreated, CategoryId, CategoryList, CategoryV3, NewCategory, OrderId};
use crate::operation::Operation;
use crate::transport::{call_options_setters, json_body, CallOptions};

use super::Request;
use crate::validate::{self, Violations};

/// The v3 category calls: `client.categories()`.
///
/// ```no_run
/// # async fn demo(client: vipps_order_management::Client) -> Result<(), vipps_order_management::Error> {
/// use vipps_order_management::{CategoryType, NewCategory, PaymentType};
/// let id = client
///     .categories()
///     .add(&NewCategory::new(PaymentType::Ecom, "order-123", CategoryType::Ticket, "https://shop.example/t/123"))
///     .await?;
/// for c in client.categories().list("order-123").await? {
///     println!("{:?} {:?}", c.category_type, c.url);
/// }
/// client.categories().delete(&id).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Categories<'c> {
    client: &'c Client,
    options: CallOptions,
}

impl<'c> Categories<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Categories {
            client,
            options: CallOptions::default(),
        }
    }

    call_options_setters!();

    /// The id in canonical form (lower-case, hyphenated), whatever UUID
    /// form it was given in; an error when it is no UUID.
    fn canonical(id: &CategoryId) -> Result<String, Error> {
        let mut violations = Violations::default();
        violations.extend(validate::category_id("categoryId", id.as_str()));
        violations.into_result()?;
        uuid::Uuid::parse_str(id.as_str())
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| Error::invalid("categoryId", "must be a UUID"))
    }

    /// Adds a category (`POST /order-management/v3/categories`) and returns
    /// its id. Each call adds one more: a retry after a lost answer may
    /// leave two equal categories, which [`Categories::list`] shows.
    pub async fn add(&self, category: &NewCategory) -> Result<CategoryId, Error> {
        let mut violations = Violations::default();
        violations.extend(validate::new_category(category));
        violations.into_result()?;
        let request = Request::new(Operation::AddCategory, &self.options).body(json_body(category));
        let reply = self.client.send(request).await?;
        let created: CategoryCreated = reply.json()?;
        created.category_id.ok_or_else(|| reply.malformed("missing field `categoryId`"))
    }

    /// The order's categories (`GET /order-management/v3/categories?orderId=`).
    pub async fn list(&self, order_id: impl Into<OrderId>) -> Result<Vec<CategoryV3>, Error> {
        let order_id = order_id.into();
        let mut violations = Violations::default();
        violations.extend(validate::order_id("orderId", order_id.as_str()));
        violations.into_result()?;
        let request = Request::new(Operation::ListCategories, &self.options).query("orderId", order_id.as_str());
        let list: CategoryList = self.client.send(request).await?.json()?;
        Ok(list.categories)
    }

    /// One category (`GET /order-management/v3/categories/{categoryId}`).
    /// The id may be given in any UUID form; it is sent in canonical form.
    pub async fn get(&self, id: &CategoryId) -> Result<CategoryV3, Error> {
        let id = Self::canonical(id)?;
        self.client
            .send(Request::new(Operation::GetCategory, &self.options).id(&id))
            .await?
            .json()
    }

    /// Deletes a category (`DELETE /order-management/v3/categories/{categoryId}`).
    /// The id may be given in any UUID form; it is sent in canonical form.
    pub async fn delete(&self, id: &CategoryId) -> Result<(), Error> {
        let id = Self::canonical(id)?;
        self.client
            .send(Request::new(Operation::DeleteCategory, &self.options).id(&id))
            .await?;
        Ok(())
    }
}
