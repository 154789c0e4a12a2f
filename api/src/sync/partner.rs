//! The partner side of sync: who may call the feed and the webhook endpoints
//! ([`SyncCaller`]), and a partner's scope for the webhook fan-out.

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use entity::enums::Role;
use entity::partners::{PartnerStatus, partner_platform, partner_platform_scope};
use futures_util::future::LocalBoxFuture;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _,
};
use uuid::Uuid;

use super::feed::FeedScope;
use crate::audit::Actor;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::partners::auth::PartnerClient;
use crate::state::AppState;

/// A caller of the sync endpoints: a platform admin (everything, and any partner's webhooks) or a
/// partner platform (its own scope and webhooks).
#[derive(Debug, Clone)]
pub enum SyncCaller {
    /// A platform admin's user token.
    PlatformAdmin(AuthUser),
    /// A partner platform's client-credentials token.
    Partner(PartnerClient),
}

impl SyncCaller {
    /// What this caller may read from the change log.
    pub fn feed_scope(&self) -> FeedScope {
        match self {
            Self::PlatformAdmin(_) => FeedScope::All,
            Self::Partner(p) => FeedScope::Roots(p.scope().to_vec()),
        }
    }

    /// The audit actor: the admin's account, or the partner's system account.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        match self {
            Self::PlatformAdmin(u) => crate::organizations::handlers::actor(u, req),
            Self::Partner(p) => p.actor(req),
        }
    }

    /// The partner whose webhooks this caller may see: `None` for platform admins (all).
    pub fn partner_id(&self) -> Option<Uuid> {
        match self {
            Self::PlatformAdmin(_) => None,
            Self::Partner(p) => Some(p.partner_id),
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    h.strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
        .map(|t| t.trim().to_owned())
}

impl FromRequest for SyncCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    /// A token that verifies as a partner token is a partner; anything else goes through the user
    /// checks and must belong to a platform admin (403 otherwise).
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let partner = match (&state, bearer(req)) {
            (Some(s), Some(t)) => crate::partners::auth::verify(s, &t).ok(),
            _ => None,
        };
        if let (Some(claims), Some(state)) = (partner, state) {
            return Box::pin(async move {
                Ok(Self::Partner(
                    crate::partners::auth::load(&state.db, &claims).await?,
                ))
            });
        }
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            user.require(&[Role::PlatformAdmin])?;
            Ok(Self::PlatformAdmin(user))
        })
    }
}

/// Whether the partner exists (any status).
///
/// # Errors
/// Database errors.
pub async fn exists(db: &impl ConnectionTrait, partner_id: Uuid) -> Result<bool, ApiError> {
    Ok(partner_platform::Entity::find_by_id(partner_id)
        .one(db)
        .await?
        .is_some())
}

/// The feed scope of an active partner (its scope roots); `None` when it is suspended or gone,
/// so that nothing is sent to it meanwhile.
///
/// # Errors
/// Database errors.
pub async fn scope_of(
    db: &impl ConnectionTrait,
    partner_id: Uuid,
) -> Result<Option<FeedScope>, ApiError> {
    let Some(p) = partner_platform::Entity::find_by_id(partner_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if p.status != PartnerStatus::Active {
        return Ok(None);
    }
    let roots: Vec<Uuid> = partner_platform_scope::Entity::find()
        .select_only()
        .column(partner_platform_scope::Column::OrganizationId)
        .filter(partner_platform_scope::Column::PartnerId.eq(partner_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Some(FeedScope::Roots(roots)))
}
