// Package httpin holds the strict readings of request input that more
// than one front door shares (the OAuth endpoints, dynamic client
// registration, the admin API): a filter or proxy in front of Foyer may
// read a repeated parameter or a duplicate JSON key differently from Go's
// parsers (first wins against last wins), so such input is refused rather
// than resolved. It imports nothing of Foyer's.
package httpin
