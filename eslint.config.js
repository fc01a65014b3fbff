// eslint for the browser code liveshow serves: the crew dashboard (liveshow/static), the
// projector (stage_display) and the phones (audience_client). Plain ES modules, no build step;
// `io` is the Socket.IO client, loaded by a classic <script> from /vendor/socket.io.min.js.
// `npm run lint` checks them all (make test runs it).

import js from "@eslint/js";
import globals from "globals";

// User text (handles, stories, titles, reasons) only ever enters a page through textContent
// or text nodes: nothing here may parse a string as HTML.
const NO_HTML = "build DOM nodes (dom.js `el`/`h`) and set textContent; never parse strings as HTML";

export default [
  { ignores: ["node_modules/**", ".venv/**", "liveshow-data/**"] },
  js.configs.recommended,
  {
    files: ["liveshow/static/**/*.js", "stage_display/**/*.js", "audience_client/**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.browser, io: "readonly" },
    },
    rules: {
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: NO_HTML },
        { property: "outerHTML", message: NO_HTML },
        { property: "insertAdjacentHTML", message: NO_HTML },
        { property: "createContextualFragment", message: NO_HTML },
        { object: "document", property: "write", message: NO_HTML },
        { object: "document", property: "writeln", message: NO_HTML },
      ],
      "no-restricted-syntax": ["error",
        { selector: "NewExpression[callee.name='DOMParser']", message: NO_HTML },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
