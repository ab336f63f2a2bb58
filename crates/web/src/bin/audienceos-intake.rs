//! Entry point of the client's intake form (`intake.html`, `/intake/<token>`): the form alone, without a
//! router, see [`audienceos_web::pages::intake::IntakeApp`].

fn main() {
    audienceos_web::start(audienceos_web::pages::intake::IntakeApp);
}
