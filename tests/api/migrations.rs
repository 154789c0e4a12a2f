//! Migrations run up, down and up again on an empty database of the current kind.

use migration::{Migrator, MigratorTrait as _};
use sea_orm::{ConnectionTrait as _, Database, EntityTrait as _, PaginatorTrait as _};

use crate::helpers::PG_ENV;

#[tokio::test]
async fn migrations_go_up_down_and_up_again_and_load_every_region() {
    let dir = tempfile::tempdir().unwrap();
    let (url, cleanup) = match std::env::var(PG_ENV).ok().filter(|v| !v.is_empty()) {
        Some(server) => {
            let name = format!("yv_test_mig_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&server).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(b, _)| b)
                .to_owned();
            (format!("{base}/{name}"), Some((admin, name)))
        }
        None => (
            format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display()),
            None,
        ),
    };
    let db = Database::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(
        entity::region::Entity::find().count(&db).await.unwrap(),
        3351
    );
    Migrator::down(&db, None).await.unwrap();
    assert!(
        entity::region::Entity::find().count(&db).await.is_err(),
        "tables should be gone"
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(
        entity::region::Entity::find().count(&db).await.unwrap(),
        3351
    );
    let beijing = entity::region::Entity::find_by_id("110101".to_owned())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(beijing.name, "东城区");
    assert_eq!(beijing.parent_code.as_deref(), Some("110100"));
    db.close().await.unwrap();
    if let Some((admin, name)) = cleanup {
        admin
            .execute_unprepared(&format!("DROP DATABASE {name}"))
            .await
            .unwrap();
    }
}
