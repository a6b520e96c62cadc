//! The nursery kinds over machi-data's readers: `nursery-facilities` (a 子育て施設一覧 CSV or a
//! papamama GeoJSON/CSV: one document) and `nursery-vacancies` (vacancy tables: one CSV, or a
//! directory of them, each file a table). The join of the two happens when the feeds are
//! assembled ([`crate::feeds`]), over every table the pipeline has kept.

use super::kind::{Input, Problem, Value};
use machi_data::nursery::facilities::parse_facilities as read_facilities;
use machi_data::nursery::vacancies::parse_vacancies as read_vacancies;
use std::sync::Arc;

/// A facility list (the one document of the source).
pub fn parse_facilities(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = input
        .documents
        .first()
        .ok_or_else(|| Problem::Invalid("no file".into()))?;
    let list =
        read_facilities(doc.bytes, doc.location).map_err(|e| Problem::Invalid(e.to_string()))?;
    for w in &list.warnings {
        tracing::warn!(
            "{}: source `{}`: {w}",
            input.city.file.display(),
            input.source.id
        );
    }
    tracing::info!(
        "{}: source `{}`: read {}: {} facilities{}",
        input.city.file.display(),
        input.source.id,
        doc.location,
        list.facilities.len(),
        if list.flags.is_some() {
            " with vacancy flags"
        } else {
            ""
        }
    );
    Ok(Value::NurseryFacilities(Arc::new(list)))
}

/// Vacancy tables: every document of the set is one table; the set fails whole if one fails.
pub fn parse_vacancies(input: &Input<'_>) -> Result<Value, Problem> {
    let mut tables = Vec::with_capacity(input.documents.len());
    for doc in &input.documents {
        let table =
            read_vacancies(doc.bytes, doc.location).map_err(|e| Problem::Invalid(e.to_string()))?;
        for w in &table.warnings {
            tracing::warn!(
                "{}: source `{}`: {w}",
                input.city.file.display(),
                input.source.id
            );
        }
        tracing::info!(
            "{}: source `{}`: read {}: {} facilities as of {}",
            input.city.file.display(),
            input.source.id,
            doc.location,
            table.rows.len(),
            table.as_of.map_or_else(
                || "(no date: when first read)".to_owned(),
                |d| d.to_string()
            )
        );
        tables.push(table);
    }
    if tables.is_empty() {
        return Err(Problem::Invalid("no vacancy table".into()));
    }
    Ok(Value::NurseryVacancies(Arc::new(tables)))
}
