//! The `characters` domain (atlas-character): character lists, name look-ups, one character,
//! and deletion. Talks to `CHARACTERS_SERVICE_URL`.

use serde::{Serialize, Serializer};

use super::client::RestClient;
use super::context::Context;
use super::endpoints::{escape, Domain};
use super::error::RestError;
use super::jsonapi::{Document, Resource};

/// JSON:API type of a character (also used by the character factory's seed).
pub const CHARACTERS: &str = "characters";

/// A character as atlas-character serves it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Character {
    #[serde(skip)]
    pub id: u32,
    pub account_id: u32,
    pub world_id: u8,
    pub name: String,
    pub level: u8,
    pub experience: u32,
    pub gachapon_experience: u32,
    pub strength: u16,
    pub dexterity: u16,
    pub intelligence: u16,
    pub luck: u16,
    pub hp: u32,
    pub max_hp: u32,
    pub mp: u32,
    pub max_mp: u32,
    pub meso: u32,
    pub hp_mp_used: u32,
    pub job_id: u16,
    pub skin_color: u8,
    pub gender: u8,
    pub fame: i16,
    pub hair: u32,
    pub face: u32,
    pub ap: u16,
    /// Parsed from the comma list (`"3,0,0"`); `""` is an empty list, never a panic.
    #[serde(serialize_with = "sp_text")]
    pub sp: Vec<u16>,
    pub map_id: u32,
    pub spawn_point: u32,
    pub gm: i32,
    pub x: i16,
    pub y: i16,
    pub stance: u8,
}

impl Character {
    /// The SP value login shows (index 0 of the list; 0 when the list is empty).
    pub fn first_sp(&self) -> u16 {
        self.sp.first().copied().unwrap_or(0)
    }

    pub(crate) fn decode(resource: &Resource) -> Result<Character, RestError> {
        let f = resource.fields();
        let sp = parse_sp(&f.get::<String>("sp")?)
            .map_err(|reason| RestError::decode(&resource.kind, "sp", reason))?;
        Ok(Character {
            id: resource.numeric_id()?,
            account_id: f.get("accountId")?,
            world_id: f.get("worldId")?,
            name: f.get("name")?,
            level: f.get("level")?,
            experience: f.get("experience")?,
            gachapon_experience: f.get("gachaponExperience")?,
            strength: f.get("strength")?,
            dexterity: f.get("dexterity")?,
            intelligence: f.get("intelligence")?,
            luck: f.get("luck")?,
            hp: f.get("hp")?,
            max_hp: f.get("maxHp")?,
            mp: f.get("mp")?,
            max_mp: f.get("maxMp")?,
            meso: f.get("meso")?,
            hp_mp_used: f.get("hpMpUsed")?,
            job_id: f.get("jobId")?,
            skin_color: f.get("skinColor")?,
            gender: f.get("gender")?,
            fame: f.get("fame")?,
            hair: f.get("hair")?,
            face: f.get("face")?,
            ap: f.get("ap")?,
            sp,
            map_id: f.get("mapId")?,
            spawn_point: f.get("spawnPoint")?,
            gm: f.get("gm")?,
            x: f.get("x")?,
            y: f.get("y")?,
            stance: f.get("stance")?,
        })
    }

    fn decode_list(doc: &Document) -> Result<Vec<Character>, RestError> {
        doc.many().iter().map(Character::decode).collect()
    }
}

/// `"1,2,3"` → `[1, 2, 3]`; blanks are trimmed, an empty entry is 0, `""` is `[]`.
pub fn parse_sp(text: &str) -> Result<Vec<u16>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(str::trim)
        .map(|part| match part {
            "" => Ok(0),
            part => part
                .parse::<u16>()
                .map_err(|_| format!("sp entry {part:?} is not a u16")),
        })
        .collect()
}

fn sp_text<S: Serializer>(sp: &[u16], serializer: S) -> Result<S::Ok, S::Error> {
    let parts: Vec<String> = sp.iter().map(u16::to_string).collect();
    serializer.serialize_str(&parts.join(","))
}

impl RestClient {
    /// GET `characters?accountId={a}&worldId={w}`; 404 is an empty list.
    pub async fn characters_of(
        &self,
        ctx: &Context,
        account_id: u32,
        world_id: u8,
    ) -> Result<Vec<Character>, RestError> {
        let path = format!("characters?accountId={account_id}&worldId={world_id}");
        self.character_list(ctx, &path).await
    }

    /// GET `characters?name={n}` with the name URL-escaped (Atlas sends it raw); 404 is an
    /// empty list.
    pub async fn characters_named(
        &self,
        ctx: &Context,
        name: &str,
    ) -> Result<Vec<Character>, RestError> {
        let path = format!("characters?name={}", escape(name));
        self.character_list(ctx, &path).await
    }

    async fn character_list(&self, ctx: &Context, path: &str) -> Result<Vec<Character>, RestError> {
        match self.get(ctx, Domain::Characters, path, CHARACTERS).await {
            Ok(doc) => Character::decode_list(&doc),
            Err(e) if e.is_not_found() => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// GET `characters/{id}`.
    pub async fn character(&self, ctx: &Context, id: u32) -> Result<Character, RestError> {
        let path = format!("characters/{id}");
        let doc = self.get(ctx, Domain::Characters, &path, CHARACTERS).await?;
        Character::decode(doc.one(CHARACTERS)?)
    }

    /// DELETE `characters/{id}`.
    pub async fn delete_character(&self, ctx: &Context, id: u32) -> Result<(), RestError> {
        self.remove(ctx, Domain::Characters, &format!("characters/{id}"))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sp_lists_parse_tolerantly() {
        assert_eq!(parse_sp(""), Ok(vec![]));
        assert_eq!(parse_sp("  "), Ok(vec![]));
        assert_eq!(parse_sp("3"), Ok(vec![3]));
        assert_eq!(parse_sp("1, 2,,4"), Ok(vec![1, 2, 0, 4]));
        assert!(parse_sp("1,x").is_err());
        assert!(parse_sp("70000").is_err());
    }

    #[test]
    fn first_sp_of_an_empty_list_is_zero() {
        assert_eq!(Character::default().first_sp(), 0);
    }

    #[test]
    fn sp_serialises_back_to_the_comma_list() {
        let c = Character {
            sp: vec![5, 0, 1],
            ..Character::default()
        };
        let v = serde_json::to_value(&c).expect("serialise");
        assert_eq!(v["sp"], "5,0,1");
        assert!(v.get("id").is_none(), "the id is not an attribute");
    }
}
