//! Named result bytes of the v83 template (§4.2) for readable reports; the bytes are configuration.

/// AuthLoginFailed codes (`failedReasonCodes`, §4.2).
pub mod login {
    /// Blocked (ban branch of the client, §14.1).
    pub const BANNED: u8 = 2;
    /// "Deleted or blocked ID" (ban shape B, §14.1).
    pub const DELETED_OR_BLOCKED: u8 = 3;
    /// Wrong password.
    pub const INCORRECT_PASSWORD: u8 = 4;
    /// Unknown account.
    pub const NOT_REGISTERED: u8 = 5;
    /// Already logged in.
    pub const ALREADY_LOGGED_IN: u8 = 7;
    /// The licence agreement must be accepted (answer with AcceptTos).
    pub const LICENSE_AGREEMENT: u8 = 23;
    /// Atlas's fallback for a code missing from the tenant options (§4.2, §13 trap 4).
    pub const UNMAPPED: u8 = 99;
}

/// PinOperation modes (§4.2).
pub mod pin {
    /// The PIN was right (or is not needed).
    pub const OK: u8 = 0;
    /// The account has no PIN: register one (RegisterPin).
    pub const REGISTER: u8 = 1;
    /// A wrong PIN.
    pub const INVALID: u8 = 2;
    /// A PIN of the wrong length, or not stored.
    pub const CONNECTION_FAILED: u8 = 3;
    /// The account has a PIN: enter it (AfterLogin 1/0).
    pub const ENTER_PIN: u8 = 4;
}

/// The AuthSuccess gender of an account that has not chosen one (the client asks, SetGender).
pub const GENDER_UNCHOSEN: u8 = 10;

/// A FILETIME at or after this one (2079-01-01, [C]'s `DEFAULT_TIME`) marks a permanent ban.
pub const PERMANENT_BAN_FILETIME: u64 = 150_842_304_000_000_000;

/// The v83 template name of an AuthLoginFailed code.
pub fn login_failure_name(code: u8) -> &'static str {
    match code {
        2 => "BANNED",
        3 => "DELETED_OR_BLOCKED",
        4 => "INCORRECT_PASSWORD",
        5 => "NOT_REGISTERED",
        6 => "SYSTEM_ERROR_1",
        7 => "ALREADY_LOGGED_IN",
        8 => "SYSTEM_ERROR_2",
        9 => "SYSTEM_ERROR_3",
        10 => "TOO_MANY_CONNECTIONS",
        11 => "AGE_LIMIT",
        13 => "UNABLE_TO_LOG_ON_AS_MASTER_AT_IP",
        14 => "WRONG_GATEWAY",
        15 => "PROCESSING_REQUEST",
        16 => "ACCOUNT_VERIFICATION_NEEDED",
        17 => "WRONG_PERSONAL_INFORMATION",
        21 => "ACCOUNT_VERIFICATION_NEEDED_2",
        23 => "LICENSE_AGREEMENT",
        25 => "MAPLE_EUROPE_NOTICE",
        27 => "FULL_CLIENT_NOTICE",
        99 => "UNMAPPED(99)",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of a ServerIP error code.
pub fn server_ip_error_name(code: u8) -> &'static str {
    match code {
        2 => "ID_DELETED_OR_BLOCKED",
        4 => "INCORRECT_PASSWORD",
        5 => "NOT_REGISTERED_ID",
        7 => "SERVER_UNDER_INSPECTION",
        9 => "SYSTEM_ERROR",
        10 => "TOO_MANY_CONNECTION_REQUESTS",
        11 => "ADULT_CHANNEL",
        12 => "TO_TITLE",
        13 => "MASTER_IP",
        14 => "WRONG_GATEWAY",
        15 => "STILL_PROCESSING",
        16 => "ACCOUNT_VERIFICATION",
        25 => "MAPLE_EUROPE_REDIRECT",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of a PinOperation mode.
pub fn pin_operation_name(mode: u8) -> &'static str {
    match mode {
        0 => "OK",
        1 => "REGISTER",
        2 => "INVALID",
        3 => "CONNECTION_FAILED",
        4 => "ENTER_PIN",
        7 => "ALREADY_LOGGED_IN",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of a CharacterNameResponse code.
pub fn name_check_name(code: u8) -> &'static str {
    match code {
        0 => "OK",
        1 => "ALREADY_REGISTERED",
        2 => "NOT_ALLOWED",
        3 => "SYSTEM_ERROR",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of an AddCharacterEntry code.
pub fn add_character_name(code: u8) -> &'static str {
    match code {
        0 => "OK",
        10 => "TOO_MANY_CONNECTIONS",
        26 => "ACCOUNT_REQUESTED_TRANSFER",
        30 => "CANNOT_USE_NAME",
        99 => "UNKNOWN_ERROR",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of a DeleteCharacterResponse code.
pub fn delete_result_name(code: u8) -> &'static str {
    match code {
        0 => "OK",
        6 => "UNABLE_TO_CONNECT_SYSTEM_ERROR",
        9 => "UNKNOWN_ERROR",
        10 => "TOO_MANY_CONNECTIONS",
        16 | 26 => "NEXON_ID_DIFFERENT_THEN_REGISTERED",
        20 => "SECONDARY_PIN_DOES_NOT_MATCH",
        22 => "CANNOT_DELETE_AS_GUILD_MASTER",
        24 => "CANNOT_DELETE_WHEN_ENGAGED",
        29 => "CANNOT_DELETE_WITH_FAMILY",
        _ => "UNKNOWN",
    }
}

/// The v83 template name of a CharacterViewAll failure code.
pub fn view_all_failure_name(code: u8) -> &'static str {
    match code {
        2 => "ERROR_VIEW_ALL",
        3 => "SEARCH_FAILED",
        4 => "SEARCH_FAILED_2",
        5 => "ERROR_VIEW_ALL_2",
        _ => "UNKNOWN",
    }
}
