// Deployment settings for the static pages; edit this file when the pages are hosted apart from the app.
window.webPubSubModeratorConfig = {
  // Base URL of the Function app; '' means the origin that serves these pages. Another origin must be listed in the
  // app's CORS_ORIGINS setting (the pages send the session cookie with every call).
  apiBaseUrl: '',
  // App Service Authentication provider: 'dev' (the local host) or 'aad'. '' picks 'dev' when the pages are served
  // from localhost or 127.0.0.1, 'aad' anywhere else.
  loginProvider: '',
};
