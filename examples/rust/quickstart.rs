//! Otto from Rust through `otto-sdk` (the API the bindings wrap): embedded on a temporary data
//! dir, a transcript in, objections and a streamed Ask Otto answer out.
//!
//! `cargo run -p otto-sdk --example quickstart` (CI runs it). Swap `Otto::open` for
//! `Otto::connect(RemoteOptions::new(url, token, company))` to use a server instead; or link
//! `otto-core` directly for the full service API.

use std::time::Duration;

use otto_sdk::{AnalyticsQuery, AskEvent, EmbeddedOptions, Otto};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("otto-example-{}", std::process::id()));
    let otto = Otto::open(EmbeddedOptions::new(&dir, "acme", "mgr_1", "manager")).await?;

    let turns = [
        ("rep", "Thanks for calling Peak Roofing, this is Jordan."),
        ("customer", "Hi, I'm Maria Lopez. There's a leak over my kitchen and I need the roof looked at."),
        ("rep", "Sorry to hear it. We can do a free inspection and a written estimate."),
        ("customer", "I'm worried it'll be too expensive, the last quote was more than we can afford."),
        ("rep", "We offer financing with low monthly payments, and the inspection itself is free."),
        ("customer", "Okay. Thursday at 4 works for us."),
        ("rep", "You're booked for Thursday at 4 pm. Thanks, Maria!"),
    ];
    let segments: Vec<_> = turns
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| {
            serde_json::json!({"speaker": speaker, "text": text, "start_time": i as f64 * 5.0, "end_time": i as f64 * 5.0 + 4.5})
        })
        .collect();
    let call = otto
        .submit_call(serde_json::json!({
            "rep_id": "rep_jordan",
            "started_at": "2026-03-10T14:05:00-07:00",
            "segments": segments,
        }))
        .await?;
    let call = otto.wait_for_call(&call.call_id, Duration::from_secs(60)).await?;
    println!("call {} {}", call.call_id, call.status.as_str());

    for o in otto.objections(&call.call_id).await?.objections {
        println!("objection: {:?} handled={} - {}", o.objection_type, o.handled, o.objection_text);
    }

    let mut stream = otto.ask_stream("What objections did Maria Lopez raise?", false).await?;
    print!("answer: ");
    while let Some(event) = stream.next().await {
        match event {
            AskEvent::Chunk(c) => print!("{c}"),
            AskEvent::Complete(a) => {
                println!();
                for c in a.citations {
                    println!("  source: {} ({})", c.source, c.source_type);
                }
            }
            AskEvent::Failed(e) => return Err(e.into()),
        }
    }

    let perf = otto.performance(&AnalyticsQuery::default()).await?;
    println!("calls: {}, conversion rate: {}", perf.total_calls, perf.conversion_rate);
    otto.close().await;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
