//! Entry point of the public pages (`public.html`): intake form, sign-in, sign-up, forgot and reset
//! password, without the agency app, see [`audienceos_web::public::PublicApp`].

fn main() {
    audienceos_web::start(audienceos_web::public::PublicApp);
}
