// Package selfservice owns the end-user pages. Sign-in is a sequence of
// steps (identifier, then password or a passwordless code) run by a small
// engine over an interaction kept in the database from the first submit
// of its pages (before it, in the browser's pending cookie: loadFlow,
// materialise, and the budgets on new interactions in
// interactionbudget.go). Every first factor
// (password, passkey, passwordless code or link, a reset, an activation,
// a registration) ends in one MFA gate, which adds the MFA step, an
// enrollment or the account portal's action, or starts the SSO session
// and sends the browser back to authz to resume. Registration, activation
// and recovery live here too; their per-account work runs in the deferred
// request worker, so unknown identifiers cost the request the same work.
//
// Files are named by flow:
//
//   - the kernel: handler.go (dependencies, New, Mount with every route,
//     and serve, the one adapter that logs a handler's returned error and
//     renders the 500 page), engine.go (Step, Flow, the sign-in page),
//     engine_browser.go (browser binding, answers to a flow that did not
//     load), pages.go (rendering), pagedata.go (each template's data
//     struct, and the samples New trial-renders every template with),
//     step_deps.go (what the steps share), amr.go;
//   - sign-in: signin_identifier.go, signin_password.go,
//     signin_guard.go (the password-guessing budgets, judged before any
//     hashing), signin_passwordless.go, signin_link.go (magic links),
//     signin_failed.go, signin_burst.go (the owner's burst e-mail);
//   - MFA: mfa_gate.go (the gate every first factor ends in), mfa_step.go,
//     mfa_methods.go, mfa_codes.go, mfa_passkey.go (the passkeys type),
//     mfa_recovery.go, mfa_enroll*.go, mfa_actions.go (the portal's
//     actions);
//   - registration: register.go, register_fields.go (the fields the
//     identity store asks for: identifiers, and the attribute schema's
//     visible and editable attributes through selfservice/attrform),
//     register_activate.go, register_resend.go, register_deferred.go;
//   - registering organizations (B2B, organizational applications):
//     orgregister.go (the address first, the sealed link, its deferred
//     job), orgregister_form.go (the page the link opens),
//     orgregister_create.go (the one transaction: organization or
//     partner, account, membership, role), orgregister_partner.go
//     (partner codes, their throttle, the partner lookup seam in
//     selfservice/partnerlookup);
//   - invitations (their login hints, selfservice/invite): invitation.go
//     (the "no longer valid" page, acceptance after a sign-in),
//     invitation_signup.go (the pre-filled sign-up);
//   - recovery: recover.go, recover_request.go, recover_reset.go,
//     recover_reminder.go, recover_deferred.go;
//   - the deferred-request queue and worker: deferred.go (each flow's
//     jobs are in its own files);
//   - helpers every flow uses: secrets.go (one-time secrets and the
//     re-request throttle), identifiers.go, policy.go.
//
// Each sign-in step holds only the collaborators it uses, built in
// Handler.newSteps: narrow store interfaces, the small passkeys and
// mfaLock types, and funcs for the Handler's shared work (events, the
// deferred queue, sending codes), never the Handler itself.
//
// Templates get typed data, one struct per page (pagedata.go); a step's
// View carries it, and renderStep fills the form part every form page
// shares (pageForm: where it posts, hidden fields, messages).
//
// Page handlers have the type handlerFunc: they render the pages users act
// on (a bad or expired link, a form error) and return any other error.
package selfservice
