// Submits the OAuth 2.0 form_post response to the application at once. The
// page also works without JavaScript: its button submits the same form.
document.getElementById("form-post").submit();
