// Package textfmt holds the small text helpers the report formatters
// share: aligned columns and Markdown escaping.
package textfmt
