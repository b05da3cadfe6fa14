//! The session's REST calls to Atlas's services: runs a [`Query`] with the session's tenant and
//! trace context and turns the services' resources into its [`Answer`]. I/O only; what to do
//! with an answer is the state machine's decision.

use crate::kafka::headers;
use crate::rest::{Attempt, Channel, Character, Context, RestClient, RestError};
use crate::session::fetch::{Answer, DeleteAnswer, Query, RosterAnswer};
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
        Query::WorldChannels {
            world_id,
            character_id,
        } => Answer::WorldChannels {
            character_id,
            result: world_channels(&rest, &ctx, world_id).await,
        },
        Query::Attempt {
            kind,
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
            Answer::Attempt {
                kind,
                success,
                result: rest.record_attempt(&ctx, kind, account_id, &attempt).await,
            }
        }
        Query::ChangeAccount { account, change } => Answer::AccountChanged {
            result: rest
                .change_account(&ctx, &account, change.clone())
                .await
                .map(Box::new),
            change,
        },
        Query::NameTaken { name } => Answer::NameTaken {
            result: rest
                .characters_named(&ctx, &name)
                .await
                .map(|found| !found.is_empty()),
            name,
        },
        Query::Seed(seed) => Answer::Seeded(rest.seed_character(&ctx, &seed).await.map(|_| ())),
        Query::DeleteCharacter {
            account_id,
            character_id,
        } => Answer::Deleted {
            character_id,
            result: delete(&rest, &ctx, account_id, character_id).await,
        },
        Query::AllCharacters { account_id } => {
            Answer::AllCharacters(all_characters(&rest, &ctx, account_id).await)
        }
    }
}

/// A world's channels, none when it is unknown or full (a character chosen from the view of
/// every world goes to one of them).
async fn world_channels(
    rest: &RestClient,
    ctx: &Context,
    world_id: u8,
) -> Result<Vec<Channel>, RestError> {
    match rest.world(ctx, world_id).await {
        Ok(world) if world.capacity_status == 2 => Ok(Vec::new()),
        Ok(_) => rest.channels(ctx, world_id).await,
        Err(e) if e.is_not_found() => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A deletion as Atlas's DeleteCharacter handler makes it, with the ownership check it lacks:
/// the character (another account's stops there), its guild (a leader's stops there), the
/// DELETE.
async fn delete(
    rest: &RestClient,
    ctx: &Context,
    account_id: u32,
    character_id: u32,
) -> Result<DeleteAnswer, RestError> {
    let character = rest.character(ctx, character_id).await?;
    if character.account_id != account_id {
        return Ok(DeleteAnswer::NotOwned);
    }
    if let Some(guild) = rest.guild_of(ctx, character_id).await? {
        if guild.is_leader(character_id) {
            return Ok(DeleteAnswer::GuildLeader);
        }
    }
    rest.delete_character(ctx, character_id).await?;
    Ok(DeleteAnswer::Deleted)
}

/// The account's characters in every world (empty worlds included), as Atlas's ViewAll reads
/// them: the worlds, then each world's characters with their inventories.
async fn all_characters(
    rest: &RestClient,
    ctx: &Context,
    account_id: u32,
) -> Result<Vec<(u8, Vec<CharacterInfo>)>, RestError> {
    let mut worlds = rest.worlds(ctx).await?;
    worlds.sort_by_key(|w| w.id);
    let mut all = Vec::with_capacity(worlds.len());
    for world in worlds {
        let characters = rest.characters_of(ctx, account_id, world.id).await?;
        all.push((world.id, dressed(rest, ctx, characters).await));
    }
    Ok(all)
}

/// Characters with their inventories; one whose inventory cannot be read is shown bare rather
/// than hiding the whole list.
async fn dressed(
    rest: &RestClient,
    ctx: &Context,
    characters: Vec<Character>,
) -> Vec<CharacterInfo> {
    let mut dressed = Vec::with_capacity(characters.len());
    for character in characters {
        let inventory = rest.inventory(ctx, character.id).await.unwrap_or_else(|error| {
            tracing::warn!(%error, character_id = character.id, "Inventory unreadable; listed bare.");
            Default::default()
        });
        dressed.push(CharacterInfo {
            character,
            inventory,
        });
    }
    dressed
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
    let characters = rest.characters_of(ctx, account_id, world_id).await?;
    let characters = dressed(rest, ctx, characters).await;
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
