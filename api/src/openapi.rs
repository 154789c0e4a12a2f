//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations. Routes are
//! collected by `utoipa-actix-web` from the same registration the server uses, so the spec cannot
//! miss one. `openapi.yaml` at the repository root is this document, refreshed by a test.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Top-level document: info, tags and the bearer security scheme.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Youth Volunteer Platform API",
        description = "REST API of the provincial youth volunteer platform: organizations, accounts, real-name volunteers, roster import. Errors are RFC 9457 problem documents with a stable `code`. Operations declare the roles that may call them as the scopes of `bearer_auth` (`platform_admin`, `org_admin`, `volunteer`, `reviewer`); `security: [{}]` marks public operations.",
        license(name = "MIT", identifier = "MIT"),
    ),
    modifiers(&SecurityAddon, &BodyErrors),
    tags(
        (name = "auth", description = "Login, token refresh, logout"),
        (name = "accounts", description = "Admin accounts"),
        (name = "organizations", description = "The organization tree; admins are scoped to a subtree"),
        (name = "regions", description = "Administrative division codes (GB/T 2260)"),
        (name = "volunteers", description = "Real-name volunteer registration, profiles, roster import"),
        (name = "memberships", description = "Volunteers' membership of organizations"),
        (name = "projects", description = "Volunteer projects: review workflow and public listing"),
        (name = "shifts", description = "Shifts of a project and their capacity"),
        (name = "signups", description = "Sign-ups for shifts, the waitlist and admin decisions"),
        (name = "attendance", description = "Rotating check-in codes, check-in and check-out, forgotten check-outs"),
        (name = "service-records", description = "The service-hour ledger: records, approvals, corrections, totals, working-day calendar, export"),
        (name = "certificates", description = "Certificates of service records (志愿服务记录证明): issue, revoke, public verification, signing keys"),
        (name = "training", description = "Training: course catalogue, instructors, training classes, enrolment, attendance, completion, training records and qualifications"),
        (name = "incentives", description = "Incentives: versioned rule sets (star thresholds, extra conditions, rounding), star levels and progress, leaderboards"),
        (name = "social-organizations", description = "Youth social organizations (青年社会组织): registry, incubation, partner programme (亲青伙伴), rating templates, rating rounds, grades"),
        (name = "social-programs", description = "Project library, case library, micro-grant calls (微创投), youth homes (青年之家) and youth social workers (青少年事务社工)"),
        (name = "partners", description = "Partner platforms: registration, credentials, client-credentials tokens, idempotent batch upsert of volunteers and service records"),
        (name = "sync", description = "Change feed and signed webhooks for partner platforms"),
        (name = "recognition", description = "Mutual recognition: signed (JWS, Ed25519) record documents, other platforms' keys, verification, recognised records"),
        (name = "awards", description = "Award campaigns (评选表彰), credit list (诚信激励) with consent, partner benefits (便民优惠)"),
        (name = "operations", description = "Health probes"),
    )
)]
pub struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        http.description = Some(
            "Access token from POST /api/v1/auth/login. Scopes list the roles allowed.".into(),
        );
        components.add_security_scheme("bearer_auth", SecurityScheme::Http(http));
        let mut partner = Http::new(HttpAuthScheme::Bearer);
        partner.bearer_format = Some("JWT".into());
        partner.description = Some(
            "Partner platform access token from POST /api/v1/partners/token (OAuth 2 client credentials). Not interchangeable with bearer_auth tokens.".into(),
        );
        components.add_security_scheme("partner_auth", SecurityScheme::Http(partner));
    }
}

/// Every operation that takes a body can answer 413 (too large) and 415 (wrong content type):
/// documented once here rather than on each handler.
struct BodyErrors;

impl Modify for BodyErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch]
                .into_iter()
                .flatten()
            {
                if op.request_body.is_some() {
                    let responses = &mut op.responses.responses;
                    responses
                        .entry("413".into())
                        .or_insert_with(|| problem("Request body too large").into());
                    responses
                        .entry("415".into())
                        .or_insert_with(|| problem("Unsupported content type").into());
                }
            }
        }
    }
}

/// The full document, built from the same route registration as the server.
pub fn spec() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt as _;
    let (_, spec) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::startup::register)
        .split_for_parts();
    spec
}
