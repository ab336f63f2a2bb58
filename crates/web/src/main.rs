//! Entry point of the agency app (`index.html`): every route, see [`audienceos_web::app::App`].

fn main() {
    audienceos_web::start(audienceos_web::app::App);
}
