//! Entry point of the auth pages (`auth.html`): sign-in, sign-up, forgot and reset password, without
//! the agency app, see [`audienceos_web::auth_app::AuthApp`].

fn main() {
    audienceos_web::start(audienceos_web::auth_app::AuthApp);
}
