// Package notify sends Foyer's e-mail, SMS and voice messages.
//
// Flows call Service (Email, SMS, Voice): the message is rendered through
// themes at once and written to the notifications table, the durable
// outbox, and the call returns. A Worker, run on every node, claims due
// messages with a lease (a conditional UPDATE, so one node sends each),
// hands them to a Provider and records the outcome: sent, or failed with
// the error and an exponentially growing wait (30 s doubling, capped at an
// hour, 8 attempts by default). A slow or failing provider therefore never
// fails or slows a customer's request, and a restart loses nothing.
//
// Each e-mail kind's data is a struct (messages.go: ActivationEmail for
// "activation" and so on), which the kind's templates read as .Data; a
// test renders every kind of the default theme with every field set, and
// TrialRender (called by selfservice.New) renders each kind with samples
// of its struct, so a theme's e-mail template reading a field the struct
// lacks fails start-up. Email still takes data as any because
// admin/manage queues its invitation with a map.
//
// An application may replace a kind's text with its own, per language
// (storage.MessageTemplate, templates*.go): administrators write texts
// with placeholders ({{link}}, {{code}}), never Go templates, checked on
// save by CheckTemplate. With UseTemplates, Email (and SMSFor) send the
// application's template (named by themes.Branding.ApplicationID) for the
// exact language, its base language or any language, else the theme's.
// The generic notice e-mail is overridable only as the kind its
// NoticeEmail.Template names (factor_added, ...); SMS texts only through
// SMSFor, which every flow sending a templated kind uses.
//
// Providers: SMTP (FOYER_SMTP_URL, smtp:// with STARTTLS, smtps:// with
// implicit TLS) for e-mail; an HTTP webhook (FOYER_SMS_WEBHOOK_URL) for SMS
// and voice. A channel without a provider goes to the dev outbox: the log
// line names recipient, kind and subject only, and the row (with the full
// text, links included, which is the point for a developer) stays in the
// database and is listed by DevOutboxHandler. Messages a real provider
// accepted are deleted at once, so no link or code outlives its sending.
//
// Dev mode (DevMode) is: no SMTP URL configured and an issuer on
// localhost or a loopback address. Only then is the dev outbox page
// mounted, at /admin/dev/outbox.
package notify
