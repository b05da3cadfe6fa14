//! The session's REST calls to Atlas's services: runs a [`Query`] with the session's tenant and
//! trace context and turns the services' resources into its [`Answer`]. I/O only; what to do
//! with an answer is the state machine's decision.

use crate::kafka::headers;
use crate::rest::{Attempt, Character, Context, RestClient, RestError};
use crate::session::fetch::{Answer, Query, RosterAnswer};
use crate::session::output::{AccountInfo, CharacterInfo, Roster};
use crate::tenant::Tenant;

/// The REST context of a call made in `span` for `tenant`.
pub fn context(tenant: &Tenant, span: &tracing::Span) -> Context {
    let ctx = Context::new(
        tenant.id,
        tenant.region.clone(),
        tenant.major_version,
        tenant.minor_version,
    );
    match headers::trace_context(span) {
        (Some(traceparent), tracestate) => ctx.with_trace(traceparent, tracestate),
        (None, _) => ctx,
    }
}

/// Runs `query` and returns its answer (errors included: the state machine answers the client).
pub async fn answer(rest: RestClient, ctx: Context, query: Query) -> Answer {
    match query {
        Query::LoginAccount { account_id } => {
            Answer::LoginAccount(rest.account(&ctx, account_id).await.map(Box::new))
        }
        Query::Worlds => Answer::Worlds(rest.worlds(&ctx).await),
        Query::WorldStatus { world_id } => Answer::WorldStatus(rest.world(&ctx, world_id).await),
        Query::Roster {
            account_id,
            world_id,
        } => Answer::Roster {
            world_id,
            result: roster(&rest, &ctx, account_id, world_id).await,
        },
        Query::Channel {
            world_id,
            channel_id,
            character_id,
        } => Answer::Channel {
            character_id,
            result: rest.channel(&ctx, world_id, channel_id).await,
        },
        Query::NewCharacter { character_id } => Answer::NewCharacter {
            character_id,
            result: match rest.character(&ctx, character_id).await {
                Ok(character) => with_inventory(&rest, &ctx, character).await.map(Box::new),
                Err(e) => Err(e),
            },
        },
        Query::PicAttempt {
            account_id,
            success,
            ip_address,
            hwid,
        } => {
            let attempt = Attempt {
                success,
                ip_address,
                hwid,
            };
            Answer::PicAttempt {
                success,
                result: rest.record_pic_attempt(&ctx, account_id, &attempt).await,
            }
        }
        Query::ChangeAccount { account, change } => Answer::AccountChanged(
            rest.change_account(&ctx, &account, change)
                .await
                .map(Box::new),
        ),
    }
}

/// A world's character list, as Atlas's CharacterListWorld handler reads it: the world (unknown
/// or full stops there), the account (its PIC and slots), the characters, each one's inventory.
async fn roster(
    rest: &RestClient,
    ctx: &Context,
    account_id: u32,
    world_id: u8,
) -> Result<RosterAnswer, RestError> {
    let world = match rest.world(ctx, world_id).await {
        Ok(world) => world,
        Err(e) if e.is_not_found() => return Ok(RosterAnswer::UnknownWorld),
        Err(e) => return Err(e),
    };
    if world.capacity_status == 2 {
        return Ok(RosterAnswer::Full);
    }
    let account = rest.account(ctx, account_id).await?;
    let mut characters = Vec::new();
    for character in rest.characters_of(ctx, account_id, world_id).await? {
        // A character whose inventory cannot be read is listed without equipment rather than
        // hiding the whole list.
        let inventory = rest.inventory(ctx, character.id).await.unwrap_or_else(|error| {
            tracing::warn!(%error, character_id = character.id, "Inventory unreadable; listed bare.");
            Default::default()
        });
        characters.push(CharacterInfo {
            character,
            inventory,
        });
    }
    let roster = Roster {
        account: AccountInfo {
            id: account.id,
            name: account.name.clone(),
            ..AccountInfo::default()
        },
        characters,
    };
    Ok(RosterAnswer::Listed(Box::new(account), roster))
}

async fn with_inventory(
    rest: &RestClient,
    ctx: &Context,
    character: Character,
) -> Result<CharacterInfo, RestError> {
    let inventory = rest.inventory(ctx, character.id).await?;
    Ok(CharacterInfo {
        character,
        inventory,
    })
}
