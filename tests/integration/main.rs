mod feed;
mod fixture;
mod server;
