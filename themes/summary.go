package themes

import "reflect"

// SummaryItem is one entry of a form's error summary: the id of the
// invalid control, which the entry links to, and the message key.
type SummaryItem struct {
	ID  string
	Key string
}

// errorSummary lists the errors of a form in the order its controls
// appear, for the summary at the top of the form (WCAG 3.3.1: the
// customer, or a screen reader announcing the alert, learns every problem
// at once and can jump to each field). Each part is either a field name of
// data's FieldErrors, whose control has the same id, or a slice of inputs
// that carry their own ID and Error (the attribute inputs).
func errorSummary(data any, parts ...any) []SummaryItem {
	var out []SummaryItem
	for _, p := range parts {
		if name, ok := p.(string); ok {
			if key := fieldError(data, name); key != "" {
				out = append(out, SummaryItem{ID: name, Key: key})
			}
			continue
		}
		v := reflect.ValueOf(p)
		if v.Kind() != reflect.Slice {
			continue
		}
		for i := range v.Len() {
			in := v.Index(i).Interface()
			if key := str(field(in, "Error")); key != "" {
				out = append(out, SummaryItem{ID: str(field(in, "ID")), Key: key})
			}
		}
	}
	return out
}
