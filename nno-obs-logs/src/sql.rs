//! ClickHouse SQL (todo)
