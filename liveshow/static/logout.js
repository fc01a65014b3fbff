// "Log out everywhere": the logout form with everywhere=1, sent only once the operator has
// confirmed (it also logs out the stage manager's dashboard). The server ends every crew
// session and disconnects every /crew socket; each open dashboard then fails to reconnect
// ("crew login required") and goes to the login page (connection.js).
import { $ } from "./shared/dom.js";
import { confirmAction } from "./confirm.js";

export function installLogoutEverywhere() {
  const form = $("#logout-everywhere");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const sure = await confirmAction({
      title: "Log out everywhere?",
      message: "Every crew dashboard and crew connection is logged out at once, this one too. " +
        "Everyone logs in again with the crew password.",
      confirmLabel: "Log out everywhere",
      danger: true,
    });
    if (sure) form.submit();   // submit() sends the form without another submit event
  });
}
