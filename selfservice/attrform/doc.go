// Package attrform turns an identity store's attribute schema into the
// inputs of a self-service form and reads them back: registration and
// the account portal's personal information page both use it, so both
// show an attribute the same way (label, input type, options, required,
// read-only) and validate it through the one storage function,
// storage.CheckAttributes.
//
// Which attributes a page shows is the schema's: Visible attributes are
// shown, Editable ones can be changed; an attribute that is not Visible
// is neither shown nor read from a post. Registration asks only for the
// attributes that are both (Askable): a visible, read-only attribute is
// one the customer cannot set, so it is shown read-only in the portal
// and not asked at registration.
//
// Errors are message keys (attribute_error.*) in the theme's catalogs,
// chosen by which of the schema's rules refused the value; the decision
// that a value is invalid is always storage's.
package attrform
