//! Loads the administrative division codes shipped in `data/regions.csv` (NBS 统计用区划代码,
//! 2023-06-30; see `data/README.md`).

use sea_orm_migration::prelude::*;

/// Date of the shipped region data set.
pub const REGION_DATA_VERSION: &str = "2023-06-30";

const REGIONS_CSV: &str = include_str!("../data/regions.csv");

/// Rows per INSERT: 5 values each, far below SQLite's 32,766 bind parameters.
const BATCH: usize = 500;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    ParentCode,
    DataVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut reader = csv::Reader::from_reader(REGIONS_CSV.as_bytes());
        let mut rows: Vec<[String; 4]> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| DbErr::Custom(format!("regions.csv: {e}")))?;
            let field = |i: usize| record.get(i).unwrap_or_default().trim().to_owned();
            rows.push([field(0), field(1), field(2), field(3)]);
        }
        for chunk in rows.chunks(BATCH) {
            let mut insert = Query::insert();
            insert.into_table(Regions::Table).columns([
                Regions::Code,
                Regions::Name,
                Regions::Level,
                Regions::ParentCode,
                Regions::DataVersion,
            ]);
            for [code, name, level, parent] in chunk {
                let parent: Option<String> = (!parent.is_empty()).then(|| parent.clone());
                insert.values_panic([
                    code.clone().into(),
                    name.clone().into(),
                    level.clone().into(),
                    parent.into(),
                    REGION_DATA_VERSION.into(),
                ]);
            }
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children first: the parent link is ON DELETE RESTRICT, checked row by row.
        for level in ["county", "prefecture", "province"] {
            manager
                .exec_stmt(
                    Query::delete()
                        .from_table(Regions::Table)
                        .and_where(Expr::col(Regions::Level).eq(level))
                        .and_where(Expr::col(Regions::DataVersion).eq(REGION_DATA_VERSION))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
